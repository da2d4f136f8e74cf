"""The ``clipora`` command line (``clipora_core.cli.shell``)."""

from clipora_core.cli.shell import build_cli, main

__all__ = ["build_cli", "main"]
