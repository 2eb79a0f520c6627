from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "minwon.accounts"
    label = "accounts"
    verbose_name = "계정 (accounts)"
