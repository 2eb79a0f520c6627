from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "minwon.registry"
    label = "registry"
