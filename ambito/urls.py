from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from ambito import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("ambito.accounts.urls")),
    path("persone/", include("ambito.people.urls")),
    path("cartelle/", include("ambito.cases.urls")),
    path("accessi/", include("ambito.cases.accesses_urls")),
    path("statistiche/", include("ambito.cases.stats_urls")),
    path("scadenze/", include("ambito.cases.deadline_urls")),
    path("compartecipazione/", include("ambito.copay.urls")),
    path("prestazioni/", include("ambito.interventions.urls")),
    path("piano/conoscenza/", include("ambito.planning.knowledge_urls")),
    path("piano/", include("ambito.planning.urls")),
    path("flussi/", include("ambito.flows.urls")),
    # The API that INPS polls (WaaS): its own authentication (the PDND voucher), not ours.
    path("waas/v1/", include("ambito.flows.waas_urls")),
    path("registro-accessi/", include("ambito.accounts.dpo_urls")),
    path("api/v1/", include("ambito.api_urls")),
    # The admin logs in through our two steps and lockout, not its own password-only form.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
    ),
    path("admin/", admin.site.urls),
]
