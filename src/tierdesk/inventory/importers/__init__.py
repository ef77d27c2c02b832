"""Importers for the platform's real export formats (issue 3)."""
