from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "minwon.payments"
    label = "payments"
    verbose_name = "수수료 결제 (fee payments)"
