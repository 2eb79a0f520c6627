from django.apps import AppConfig


class LandConfig(AppConfig):
    name = "minwon.land"
    label = "land"
