from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    """관리자 화면: the staff UI's administration screens (the business calendar, staff
    accounts and roles). The commands they run belong to the apps that own the state."""

    name = "minwon.administration"
    label = "administration"
