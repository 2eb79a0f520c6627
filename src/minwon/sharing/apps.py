from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "minwon.sharing"
    label = "sharing"
