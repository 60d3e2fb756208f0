from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ambito.accounts"
    verbose_name = "Account e accessi"
