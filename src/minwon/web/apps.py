from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "minwon.web"
    label = "web"
    verbose_name = "웹 (web shell)"
