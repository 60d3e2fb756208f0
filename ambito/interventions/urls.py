"""The deliveries pages (namespace "deliveries"): a provider's interventions and uploads, the
coordinator's months."""

from django.urls import path

from ambito.interventions import views

app_name = "deliveries"

urlpatterns = [
    path("", views.provider_list, name="list"),
    path("interventi/<int:pk>/", views.record, name="record"),
    path("carica/", views.upload, name="upload"),
    path("modello/", views.template, name="template"),
    path("mesi/", views.months, name="months"),
    path("mesi/approva/", views.approve, name="approve"),
]
