from django.apps import AppConfig


class VehiclesConfig(AppConfig):
    name = "minwon.vehicles"
    label = "vehicles"
