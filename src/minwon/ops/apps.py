from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "minwon.ops"
    label = "ops"
    verbose_name = "상황실 (operations)"
