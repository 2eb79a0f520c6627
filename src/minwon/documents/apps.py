from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "minwon.documents"
    label = "documents"
