"""Dates as tierdesk writes them in English: the same figures as in Korean (ISO 8601),
so a date reads the same on every page, list, export and e-mail."""

from tierdesk.common.formats.shared import *  # noqa: F403
