from django.apps import AppConfig


class InterventionsConfig(AppConfig):
    name = "ambito.interventions"
    verbose_name = "Interventi e servizi"
