"""Clipora core: hookspecs, plugin loading, contracts, config, job workspace, runner and CLI.

Plugins import ``hookimpl`` and ``Capability`` from here."""

from clipora_core.capabilities import Capability, ConfigDefault, ConfigSection, InstallHint, Kind
from clipora_core.hookspecs import hookimpl

__version__ = "0.2.0"
__all__ = [
    "Capability",
    "ConfigDefault",
    "ConfigSection",
    "InstallHint",
    "Kind",
    "hookimpl",
    "__version__",
]
