from django.apps import AppConfig


class HaConfig(AppConfig):
    """High availability: the local Patroni cluster, backups, and the command retry that
    carries writes across a failover."""

    name = "minwon.ha"
    label = "ha"
    verbose_name = "고가용성 (high availability)"

    def ready(self) -> None:
        from minwon.ha.retry import retrying_execute
        from minwon.kernel import bus

        bus.around = retrying_execute
