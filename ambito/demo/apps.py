from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ambito.demo"
    verbose_name = "Dati dimostrativi"
