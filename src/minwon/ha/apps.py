from django.apps import AppConfig


class HaConfig(AppConfig):
    name = "minwon.ha"
    label = "ha"
    verbose_name = "고가용성 (high availability)"
