from django.apps import AppConfig


class LicensingConfig(AppConfig):
    name = "minwon.licensing"
    label = "licensing"
