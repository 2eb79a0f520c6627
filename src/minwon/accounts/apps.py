from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "minwon.accounts"
    label = "accounts"
    verbose_name = "계정 (accounts)"

    def ready(self) -> None:
        from minwon.accounts import identity, lockout  # noqa: F401  (check, receiver)
