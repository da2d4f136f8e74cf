"""Progress and logging: one small API for plugins, two sinks.

Plugins get a ``StageProgress`` and call ``update(done, total)``, ``info(...)`` and
``warning(...)``. Every event goes to the job's ``logs/pipeline.log`` (all levels, throttled for
progress) and to the terminal (rich progress bars with percent and ETA, plus messages at or above
``logging.level``; nothing with ``--quiet``). The manifest carries each stage's progress so the
web UI can show it.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clipora_core.workspace import JobWorkspace

LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}


class _UTCFormatter(logging.Formatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


_loggers: dict[str, logging.Logger] = {}
_loggers_lock = threading.Lock()


def job_logger(job: JobWorkspace) -> logging.Logger:
    """A logger that appends every record to ``<job>/logs/pipeline.log``."""
    key = str(job.root)
    with _loggers_lock:
        logger = _loggers.get(key)
        if logger is None:
            logger = logging.getLogger(f"clipora.job.{job.job_id}")
            logger.setLevel(logging.DEBUG)
            logger.propagate = False
            job.log_path.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(job.log_path, encoding="utf-8", delay=True)
            handler.setFormatter(_UTCFormatter("%(asctime)s %(levelname)s %(message)s"))
            logger.addHandler(handler)
            _loggers[key] = logger
        return logger


def close_job_logger(job: JobWorkspace) -> None:
    with _loggers_lock:
        logger = _loggers.pop(str(job.root), None)
    if logger:
        for h in list(logger.handlers):
            h.close()
            logger.removeHandler(h)


def format_fields(fields: dict[str, Any]) -> str:
    parts = []
    for key, value in fields.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        if isinstance(value, float):
            value = f"{value:.3f}".rstrip("0").rstrip(".")
        text = str(value)
        if not text or any(c.isspace() or c in '"=' for c in text):
            text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        parts.append(f"{key}={text}")
    return " ".join(parts)


class Terminal:
    """The terminal sink: messages on stderr and rich progress bars."""

    def __init__(self, level: str = "info", quiet: bool = False) -> None:
        self.level = LEVELS.get(level, logging.INFO)
        self.quiet = quiet
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._console: Any = None

    def _get_console(self) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=True, highlight=False)
        return self._console

    def message(self, level: int, text: str) -> None:
        if self.quiet or level < self.level:
            return
        console = self._get_console()
        prefix = "[clipora]" if level < logging.WARNING else "[clipora] warning:"
        if level >= logging.ERROR:
            prefix = "[clipora] error:"
        console.print(f"{prefix} {text}", markup=False, soft_wrap=True)

    def progress(self, stage: str, label: str, fraction: float | None, done: bool = False) -> None:
        # Bars only on an interactive terminal; logs and CI get the event lines instead.
        if self.quiet or not self._get_console().is_terminal:
            return
        with self._lock:
            if self._progress is None:
                from rich.progress import (
                    BarColumn,
                    Progress,
                    TaskProgressColumn,
                    TextColumn,
                    TimeRemainingColumn,
                )

                self._progress = Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    TaskProgressColumn(),
                    TimeRemainingColumn(),
                    console=self._get_console(),
                    transient=False,
                )
                self._progress.start()
            task = self._tasks.get(stage)
            if task is None:
                task = self._progress.add_task(label, total=1.0)
                self._tasks[stage] = task
            kwargs: dict[str, Any] = {"description": label}
            if fraction is not None:
                kwargs["completed"] = max(0.0, min(1.0, fraction))
            self._progress.update(task, **kwargs)
            if done:
                self._progress.update(task, completed=1.0)

    def close(self) -> None:
        with self._lock:
            if self._progress is not None:
                self._progress.stop()
                self._progress = None
                self._tasks.clear()


_terminal = Terminal(quiet=not sys.stderr.isatty())


def set_terminal(terminal: Terminal) -> None:
    global _terminal
    _terminal = terminal


def terminal() -> Terminal:
    return _terminal


class StageProgress:
    """What a stage (and the plugins it calls) reports through."""

    LOG_EVERY_SECONDS = 2.0
    MANIFEST_EVERY_SECONDS = 1.0

    def __init__(self, job: JobWorkspace | None, stage: str, label: str | None = None) -> None:
        self.job = job
        self.stage = stage
        self.label = label or stage
        self._last_log = 0.0
        self._last_manifest = 0.0
        self._last_logged_fraction = -1.0
        self._lock = threading.Lock()
        self.fraction = 0.0

    def _log(self, level: int, text: str) -> None:
        if self.job is not None:
            job_logger(self.job).log(level, text)

    def event(
        self, event: str, message: str = "", level: int = logging.INFO, **fields: Any
    ) -> None:
        text = " ".join(p for p in (self.stage, event, message, format_fields(fields)) if p)
        self._log(level, text)
        if event == "failed":
            return  # the CLI ends with this error as its one-line message: not twice on screen
        if event == "progress":
            shown = " ".join(p for p in (message, format_fields(fields)) if p)
        elif event == "warning":
            shown = f"{self.stage}: " + " ".join(p for p in (message, format_fields(fields)) if p)
        else:
            shown = text
        _terminal.message(level, shown or text)

    def info(self, message: str, **fields: Any) -> None:
        self.event("progress", message, logging.INFO, **fields)

    def debug(self, message: str, **fields: Any) -> None:
        self.event("progress", message, logging.DEBUG, **fields)

    def warning(self, message: str, **fields: Any) -> None:
        self.event("warning", message, logging.WARNING, **fields)

    def update(self, done: float, total: float | None = None, message: str = "") -> None:
        """Report progress as ``done`` out of ``total`` (or a fraction when total is None)."""
        fraction = done / total if total else done
        fraction = max(0.0, min(1.0, float(fraction)))
        now = time.monotonic()
        with self._lock:
            self.fraction = fraction
            log_now = (
                now - self._last_log >= self.LOG_EVERY_SECONDS
                and fraction - self._last_logged_fraction >= 0.01
            ) or (fraction >= 1.0 > self._last_logged_fraction)
            if log_now:
                self._last_log = now
                self._last_logged_fraction = fraction
            manifest_now = now - self._last_manifest >= self.MANIFEST_EVERY_SECONDS
            if manifest_now:
                self._last_manifest = now
        _terminal.progress(
            self.stage, self.label if not message else f"{self.label}: {message}", fraction
        )
        if log_now:
            fields: dict[str, Any] = {"percent": round(fraction * 100, 1)}
            if message:
                fields["at"] = message
            self._log(logging.INFO, f"{self.stage} progress {format_fields(fields)}")
        # Only the pipeline's stages have a place in the manifest (not e.g. an export).
        if manifest_now and self.job is not None and self.stage in self.job.manifest.stages:
            with contextlib.suppress(OSError):
                self.job.set_progress(self.stage, fraction)

    def finish(self) -> None:
        _terminal.progress(self.stage, self.label, 1.0, done=True)
