from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "minwon.kernel"
    label = "kernel"
    verbose_name = "커널 (kernel)"

    def ready(self) -> None:
        from minwon.kernel import registry

        registry.autodiscover()
