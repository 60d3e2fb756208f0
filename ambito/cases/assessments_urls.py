"""The case page's assessments section: its routes (in the "cases" namespace)."""

from django.urls import URLPattern, path

from ambito.cases import assessments_views

urlpatterns: list[URLPattern] = [
    path(
        "<int:pk>/valutazioni/nuova/",
        assessments_views.new_assessment,
        name="new_assessment",
    ),
    path(
        "<int:pk>/valutazioni/<int:assessment_pk>/",
        assessments_views.assessment_detail,
        name="assessment",
    ),
]
