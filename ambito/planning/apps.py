from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "ambito.planning"
    verbose_name = "Piano di Zona"
