from django.urls import path

from ambito.cases import (
    assessments_urls,
    court_views,
    plans_urls,
    protection_urls,
    views,
)

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("nuova/", views.open_new, name="open"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/moduli/<slug:name>/", views.case_form, name="form"),
    path("<int:pk>/chiudi/", views.close, name="close"),
    path("<int:pk>/equipe/", views.add_member, name="add_member"),
    path("<int:pk>/equipe/<int:member_pk>/fine/", views.end_member, name="end_member"),
    path("<int:pk>/condivisioni/", views.share, name="share"),
    path("<int:pk>/condivisioni/<int:share_pk>/fine/", views.end_share_view, name="end_share"),
    path("<int:pk>/riservatezza/", views.reserve, name="reserve"),
    path("<int:pk>/diario/", views.add_diary, name="add_diary"),
    path("<int:pk>/documenti/", views.upload_document, name="add_document"),
    path("<int:pk>/documenti/<int:document_pk>/", views.download_document, name="document"),
    path("<int:pk>/accesso-straordinario/", views.break_the_glass, name="break_glass"),
    path("<int:pk>/provvedimenti/", court_views.add_order, name="add_court_order"),
    path("<int:pk>/relazioni/", court_views.add_report, name="add_court_report"),
    path(
        "<int:pk>/relazioni/<int:report_pk>/inviata/",
        court_views.report_sent,
        name="court_report_sent",
    ),
]
urlpatterns += assessments_urls.urlpatterns
urlpatterns += plans_urls.urlpatterns
urlpatterns += protection_urls.urlpatterns
