from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "tierdesk.common"
    label = "common"
