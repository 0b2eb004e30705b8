from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pvd.accounts"
    label = "accounts"
    verbose_name = "Comptes et accès"
