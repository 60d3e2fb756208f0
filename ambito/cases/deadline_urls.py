from django.urls import path

from ambito.cases import deadline_views

app_name = "deadlines"

urlpatterns = [
    path("", deadline_views.deadlines, name="list"),
]
