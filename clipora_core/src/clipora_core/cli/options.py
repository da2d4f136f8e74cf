"""What every command shares: its context (config, --set, log level, --debug), the common
options, the one-line error guard, and --products."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from clipora_core.errors import DISK_ERRORS, DISK_HINT, CliporaError


class Ctx:
    def __init__(
        self,
        config: Path | None,
        sets: tuple[str, ...],
        quiet: bool,
        log_level: str | None,
        debug: bool,
    ) -> None:
        self.config_path = config
        self.sets = list(sets)
        self.quiet = quiet
        self.log_level = log_level
        self.debug = debug or os.environ.get("CLIPORA_DEBUG", "") == "1"

    def load(
        self, overrides: dict[str, Any] | None = None, job_sets: list[str] | None = None
    ) -> Any:
        """Effective config; ``job_sets`` are the ``--set`` values a job was run with before,
        applied first so this command's own ``--set`` wins."""
        from clipora_core.config import load_config
        from clipora_core.plugins import get_host

        host = get_host()
        overrides = dict(overrides or {})
        if self.log_level:
            overrides["logging.level"] = self.log_level
        loaded = load_config(
            self.config_path,
            overrides=overrides,
            cli_set=self.sets,
            job_set=list(job_sets or []),
            sections=host.config_sections(),
        )
        from clipora_core.progress import Terminal, set_terminal

        level = "debug" if self.debug else loaded.settings.logging.level
        set_terminal(Terminal(level=level, quiet=self.quiet))
        return loaded


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    @click.option(
        "--config",
        "config",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="Config file (default: CLIPORA_CONFIG or the per-user clipora.yaml).",
    )
    @click.option(
        "--set",
        "sets",
        multiple=True,
        metavar="KEY=VALUE",
        help="Override a config value, e.g. --set asr.language=zh (repeatable).",
    )
    @click.option(
        "--quiet",
        "-q",
        is_flag=True,
        help="No progress bars or messages; stdout still gets the job path.",
    )
    @click.option(
        "--log-level",
        type=click.Choice(["debug", "info", "warning", "error"]),
        default=None,
        help="Terminal log level (the job log always records everything).",
    )
    @click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
    @functools.wraps(func)
    def wrapper(
        config: Path | None,
        sets: tuple[str, ...],
        quiet: bool,
        log_level: str | None,
        debug: bool,
        **kwargs: Any,
    ) -> Any:
        ctx = Ctx(config, sets, quiet, log_level, debug)
        return guard(ctx, func, **kwargs)

    return wrapper


def guard(ctx: Ctx, func: Callable[..., Any], **kwargs: Any) -> Any:
    from clipora_core.progress import terminal

    try:
        return func(ctx, **kwargs)
    except CliporaError as exc:
        terminal().close()
        if ctx.debug:
            raise
        click.echo(f"[clipora] error: {exc.one_line()}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        terminal().close()
        click.echo("[clipora] interrupted; rerun the same command to continue", err=True)
        sys.exit(130)
    except click.exceptions.ClickException:
        raise
    except BrokenPipeError:
        # Output piped into e.g. `head`: not an error worth a message.
        sys.stderr.close()
        sys.exit(0)
    except OSError as exc:
        terminal().close()
        if ctx.debug or exc.errno not in DISK_ERRORS:
            if ctx.debug:
                raise
            click.echo(
                f"[clipora] error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
                err=True,
            )
            sys.exit(1)
        where = f": {exc.filename}" if exc.filename else ""
        click.echo(f"[clipora] error: {DISK_ERRORS[exc.errno]}{where} ({DISK_HINT})", err=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - one line for users, the traceback with --debug
        terminal().close()
        if ctx.debug:
            raise
        text = " ".join(str(exc).split()) or type(exc).__name__
        click.echo(
            f"[clipora] error: {type(exc).__name__}: {text} (rerun with --debug for the traceback)",
            err=True,
        )
        sys.exit(1)
    finally:
        terminal().close()


def products_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--products",
        "products",
        type=click.Path(path_type=Path),
        default=None,
        metavar="FILE",
        help="The seller's product list (.txt, .csv, .yaml, .json; see README). The job keeps "
        "it: later commands use it without --products.",
    )(func)
