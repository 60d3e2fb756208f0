from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "ambito.organizations"
    verbose_name = "Enti e operatori"
