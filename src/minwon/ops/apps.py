from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "minwon.ops"
    label = "ops"
    verbose_name = "상황실 (operations)"

    def ready(self) -> None:
        """Listen to every finished command (the kernel's hook) for the per-minute rollups."""
        from minwon.kernel import metrics
        from minwon.ops import rollups

        if rollups.on_command not in metrics._listeners:
            metrics.on_command(rollups.on_command)
