"""The WaaS API under /waas/v1/ (ambito.flows.waas): INPS's paths, exactly as the yaml's."""

from django.urls import path, re_path

from ambito.flows import waas

app_name = "waas"

urlpatterns = [
    path("status", waas.status, name="status"),
    path("flussi", waas.flows, name="flows"),
    path("esiti", waas.outcomes, name="outcomes"),
    re_path(r"^(?P<path>.*)$", waas.not_found),
]
