from django.apps import AppConfig


class ContinuityConfig(AppConfig):
    name = "minwon.continuity"
    label = "continuity"
    verbose_name = "연속성(거점 노드)"

    def ready(self) -> None:
        from minwon.petitions import receipts

        from . import commands, journal

        journal.install()
        # Central's random receipt numbers skip the blocks reserved to edge nodes.
        receipts.reserved_prefixes = commands.reserved_prefixes
