from __future__ import annotations

from django.db import models
from django.utils import timezone


class Probe(models.Model):
    note = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return str(self.pk)
