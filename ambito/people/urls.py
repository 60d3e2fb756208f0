from django.urls import path

from ambito.people import export, views

app_name = "people"

urlpatterns = [
    path("", views.search, name="search"),
    path("nuova/", views.register, name="register"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/esporta.json", export.export_json, name="export_json"),
    path("<int:pk>/esporta.pdf", export.export_pdf, name="export_pdf"),
    path("nuclei/<int:pk>/", views.household, name="household"),
]
