from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "minwon.petitions"
    label = "petitions"
