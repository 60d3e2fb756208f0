from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "ambito.flows"
    verbose_name = "Flussi SIUSS / SINBA"
