from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "minwon.notices"
    label = "notices"
    verbose_name = "전자고지 (e-notices)"
