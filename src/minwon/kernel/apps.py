from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "minwon.kernel"
    label = "kernel"
    verbose_name = "커널 (kernel)"

    def ready(self) -> None:
        from django.conf import settings

        from minwon.kernel import bus, checks, permissions, registry  # noqa: F401 - checks registers

        registry.autodiscover()
        permissions.check_commands()
        bus.configure(getattr(settings, "MINWON_PIPELINE", bus.DEFAULT_STAGES))
