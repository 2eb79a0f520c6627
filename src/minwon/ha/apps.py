from django.apps import AppConfig


class HaConfig(AppConfig):
    """High availability: the local Patroni cluster, backups, and the command retry that
    carries writes across a failover (``retry.retry_stage``, the first stage of the
    kernel's pipeline in settings)."""

    name = "minwon.ha"
    label = "ha"
    verbose_name = "고가용성 (high availability)"
