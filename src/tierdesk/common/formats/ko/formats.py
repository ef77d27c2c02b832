"""Dates as tierdesk writes them in Korean: the same figures as in English (ISO 8601),
so a date reads the same on every page, list, export and e-mail."""

from tierdesk.common.formats.shared import *  # noqa: F403
