"""The ``clipora`` command line: a root group, one module per command, and the commands
plugins add through ``register_commands``.

Heavy modules are imported inside commands, never at module level: ``clipora --help`` and
``clipora plugins list`` must start fast with every plugin installed.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Any

import click

from clipora_core.cli import (
    analyze_item_command,
    batch_command,
    config_command,
    export_command,
    plugins_command,
    render_command,
    run_command,
    stage_commands,
)
from clipora_core.errors import CliporaError
from clipora_core.memory import limit_malloc_arenas


def build_cli() -> click.Group:
    @click.group(context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(package_name="clipora-core", prog_name="clipora")
    def cli() -> None:
        """Clipora: turn long livestream recordings into short per-product clips.

        \b
        Typical use:
          clipora run recording.mp4            # every stage, offline by default
          clipora render <job> --plan plan.json
          clipora plugins list
        """

    for module in (
        run_command,
        stage_commands,
        analyze_item_command,
        render_command,
        batch_command,
        export_command,
        plugins_command,
        config_command,
    ):
        module.register(cli)

    from clipora_core.plugins import get_host

    get_host().commands(cli)
    return cli


def _sigterm_as_interrupt() -> None:
    # `kill` (SIGTERM) then unwinds like Ctrl-C: the running stage is marked interrupted, not
    # left "running".
    import signal

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # not the main thread
        signal.signal(signal.SIGTERM, handler)


def main() -> None:
    _sigterm_as_interrupt()
    limit_malloc_arenas()
    try:
        cli = build_cli()
    except CliporaError as exc:  # e.g. a strict-mode plugin failure
        click.echo(f"[clipora] error: {exc.one_line()}", err=True)
        sys.exit(exc.exit_code)
    cli(prog_name="clipora")
