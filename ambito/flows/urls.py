"""The pages of the national flows under /flussi/ (ambito.flows.views)."""

from django.urls import path

from ambito.flows import views

app_name = "flows"

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("pubblica/", views.publish, name="publish"),
    path("in-attesa/", views.waiting, name="waiting"),
    path("file-manuali/", views.build_manual_file, name="build_manual_file"),
    path("file-manuali/<int:pk>.xml", views.manual_file, name="manual_file"),
    path("<int:pk>/", views.flow, name="flow"),
    path("<int:pk>.xml", views.flow_xml, name="flow_xml"),
]
