from django.http import HttpRequest, HttpResponse
from django.urls import path


def explode(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom for the logging test")


urlpatterns = [path("explode", explode)]
