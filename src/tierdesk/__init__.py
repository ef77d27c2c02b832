"""tierdesk: support and governance for low-code solutions."""

__version__ = "0.1.0"
