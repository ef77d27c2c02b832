from django.apps import AppConfig
from django.urls import register_converter


class CommonConfig(AppConfig):
    name = "tierdesk.common"
    label = "common"

    def ready(self) -> None:
        from tierdesk.common.ids import IdConverter

        register_converter(IdConverter, "id")

        from django.db import models
        from rest_framework import serializers

        from tierdesk.common.fields import ModernDateTimeField

        serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = (
            ModernDateTimeField
        )
