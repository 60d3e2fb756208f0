from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "ambito.territory"
    verbose_name = "Territorio"
