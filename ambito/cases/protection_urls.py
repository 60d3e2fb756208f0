"""The case page's protection section: its routes (in the "cases" namespace)."""

from django.urls import URLPattern, path

from ambito.cases import protection_views as views

urlpatterns: list[URLPattern] = [
    path("<int:pk>/riapri/", views.reopen, name="reopen"),
    path("<int:pk>/mandato/", views.mandate, name="mandate"),
    path("<int:pk>/adi/", views.adi, name="adi"),
    path("<int:pk>/collocamenti/", views.add_placement_view, name="add_placement"),
    path(
        "<int:pk>/collocamenti/<int:placement_pk>/fine/",
        views.end_placement_view,
        name="end_placement",
    ),
    path("<int:pk>/incontri-protetti/", views.schedule_visit_view, name="schedule_visit"),
    path(
        "<int:pk>/incontri-protetti/<int:visit_pk>/esito/",
        views.record_visit_view,
        name="record_visit",
    ),
]
