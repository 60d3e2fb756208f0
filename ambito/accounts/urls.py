from django.urls import path

from ambito.accounts import notification_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("verifica/", views.verify, name="verify"),
    path("attiva-verifica/", views.enrol, name="enrol"),
    path("codici-di-recupero/", views.recovery_codes, name="recovery_codes"),
    path("password/", views.password_change, name="password_change"),
    path("password/cambiata/", views.password_change_done, name="password_change_done"),
    path("notifiche/", notification_views.notifications, name="notifications"),
    path("notifiche/lette/", notification_views.notifications_read, name="notifications_read"),
]
