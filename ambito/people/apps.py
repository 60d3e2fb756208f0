from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "ambito.people"
    verbose_name = "Persone e nuclei"
