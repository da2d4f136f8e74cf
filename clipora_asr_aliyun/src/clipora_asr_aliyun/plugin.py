"""Plugin entry point."""

from clipora_core import hookimpl  # noqa: F401
