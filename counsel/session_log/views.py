"""The session pages."""

from . import bp  # noqa: F401
