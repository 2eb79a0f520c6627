from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "minwon.portal"
    label = "portal"
