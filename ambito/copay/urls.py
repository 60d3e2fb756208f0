from django.urls import path

from ambito.copay import views

app_name = "copay"

urlpatterns = [
    path("simulatore/", views.simulator, name="simulator"),
    path("regolamenti/", views.regulations, name="regulations"),
]
