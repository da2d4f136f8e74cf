"""Errors a user can act on. The CLI prints them as one line (no traceback unless --debug)."""

from __future__ import annotations

import errno

# OS errors that mean "the disk", with the words users see for them (the CLI, and plugins
# that read an errno from a child process's exit status).
DISK_ERRORS = {
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
}
DISK_HINT = "free space or fix permissions, then rerun the same command to continue"


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


class WorkerLost(CliporaError):
    """Every worker that ran a unit died before it finished (killed, out of memory, its node
    gone): the unit is failed with this, its job's stage too."""

    exit_code = 1
