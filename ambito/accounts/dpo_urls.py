from django.urls import path

from ambito.accounts import dpo_views

app_name = "dpo"

urlpatterns = [
    path("", dpo_views.log, name="log"),
    path("esporta.csv", dpo_views.log_csv, name="log_csv"),
    path("interessato/", dpo_views.subject, name="subject"),
    path("interessato/accessi.pdf", dpo_views.subject_pdf, name="subject_pdf"),
]
