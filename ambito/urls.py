from django.contrib import admin
from django.urls import include, path

from ambito import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("ambito.accounts.urls")),
    path("persone/", include("ambito.people.urls")),
    path("cartelle/", include("ambito.cases.urls")),
    path("api/v1/", include("ambito.api_urls")),
    path("admin/", admin.site.urls),
]
