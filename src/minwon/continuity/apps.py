from django.apps import AppConfig


class ContinuityConfig(AppConfig):
    name = "minwon.continuity"
    label = "continuity"
