from django.urls import path

from ambito.cases import stats_views

app_name = "stats"

urlpatterns = [
    path("", stats_views.cases, name="cases"),
]
