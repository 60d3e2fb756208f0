"""The knowledge report's pages, under /piano/conoscenza/."""

from django.urls import path

from ambito.planning import knowledge_views

app_name = "knowledge"

urlpatterns = [
    path("", knowledge_views.report, name="report"),
    path("report.pdf", knowledge_views.report_pdf, name="pdf"),
    path("report.xlsx", knowledge_views.report_xlsx, name="xlsx"),
]
