from django.urls import path

from ambito.cases import views

app_name = "cases"

urlpatterns = [
    path("nuova/", views.open_new, name="open"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/chiudi/", views.close, name="close"),
]
