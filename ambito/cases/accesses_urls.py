from django.urls import path

from ambito.cases import accesses_views as views

app_name = "accesses"

urlpatterns = [
    path("", views.access_list, name="list"),
    path("nuovo/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/esito/", views.close, name="close"),
    path("<int:pk>/apri-cartella/", views.open_case, name="open_case"),
    path("<int:pk>/collega/", views.link, name="link"),
]
