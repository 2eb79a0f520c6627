from django.apps import AppConfig


class ContinuityConfig(AppConfig):
    name = "minwon.continuity"
    label = "continuity"
    verbose_name = "연속성(거점 노드)"

    def ready(self) -> None:
        from . import journal

        journal.install()
