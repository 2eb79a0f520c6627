from django.apps import AppConfig


class TaxConfig(AppConfig):
    name = "minwon.tax"
    label = "tax"
