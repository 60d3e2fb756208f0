from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path

from ambito.api import api


def not_found(request: HttpRequest) -> JsonResponse:
    """Any other address under /api/v1/, its root included: JSON like every API error."""
    detail = "Risorsa non trovata. La documentazione dell'API è in /api/v1/docs."
    return JsonResponse({"detail": detail}, status=404)


urlpatterns = [
    path("", not_found),
    path("", api.urls),
    re_path(r"^.+$", not_found),
]
