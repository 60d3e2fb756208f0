from django.urls import path

from ambito.people import views

app_name = "people"

urlpatterns = [
    path("", views.search, name="search"),
    path("nuova/", views.register, name="register"),
    path("<int:pk>/", views.detail, name="detail"),
    path("nuclei/<int:pk>/", views.household, name="household"),
]
