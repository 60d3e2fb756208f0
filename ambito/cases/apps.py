from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "ambito.cases"
    verbose_name = "Cartelle sociali"
