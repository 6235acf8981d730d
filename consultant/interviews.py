"""Kept only for `users/management/commands/seed_demo.py`, which imports these two names from here and
belongs to another change; workspace code imports them from their homes."""

from .services.templates import template_store
from .workbooks import builtin_template_bytes

__all__ = ["builtin_template_bytes", "template_store"]
