"""The case pages."""

from . import bp  # noqa: F401
