from django.apps import AppConfig


class CopayConfig(AppConfig):
    name = "ambito.copay"
    verbose_name = "Compartecipazione al costo (ISEE)"
