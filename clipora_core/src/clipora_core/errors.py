"""Errors a user can act on. The CLI prints them as one line (no traceback unless --debug)."""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Any

# OS errors that mean "the disk", with the words users see for them (the CLI, and plugins
# that read an errno from a child process's exit status).
DISK_ERRORS = {
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
}
DISK_HINT = "free space or fix permissions, then rerun the same command to continue"

if TYPE_CHECKING:
    from clipora_core.plugins import PluginHost


class CliporaError(Exception):
    """An error with a message that says what to do; ``exit_code`` is the CLI's exit status."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        text = " ".join(self.message.split())
        if self.hint:
            text += f" ({' '.join(self.hint.split())})"
        return text


class ConfigError(CliporaError):
    exit_code = 2


class UsageError(CliporaError):
    exit_code = 2


class InputError(CliporaError):
    """The input video (or plan) cannot be used."""


class StageError(CliporaError):
    """A stage could not finish; the manifest records it as failed with this reason."""


class PluginError(CliporaError):
    pass


class CapabilityNotFound(CliporaError):
    exit_code = 2

    @classmethod
    def build(cls, kind: Any, name: str, config_key: str, host: PluginHost) -> CapabilityNotFound:
        from clipora_core.plugins import KNOWN_PROVIDERS

        kind_value = getattr(kind, "value", str(kind))
        available = sorted(c.name for c in host.capabilities() if c.kind.value == kind_value)
        dist = KNOWN_PROVIDERS.get((kind_value, name))
        where = f" (config {config_key})" if config_key else ""
        label = kind_value.replace("_", " ")
        msg = f"{label} {name!r}{where} is not installed"
        failed = [r for r in host.records.values() if r.error and dist and r.distribution == dist]
        if failed:
            msg += f"; its plugin failed to load: {failed[0].error}"
        if dist:
            hint = f"install it with: uv pip install {dist}"
        else:
            hint = "install a plugin that provides it"
        if available:
            hint += f"; available: {', '.join(available)}"
        return cls(msg, hint=hint)
