"""``clipora config show`` / ``config init``: the effective config and a commented example."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from clipora_core.cli.options import Ctx, common_options


def register(cli: click.Group) -> None:
    @cli.group()
    def config() -> None:
        """Show or create configuration."""

    @config.command("show")
    @click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
    @common_options
    def config_show(ctx: Ctx, as_json: bool) -> None:
        """Print the effective config and where each value comes from (secrets masked)."""
        from clipora_core.config_views import effective_rows

        loaded = ctx.load()
        rows = effective_rows(loaded)
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "config_file": str(loaded.path) if loaded.path else None,
                        "values": [{"key": k, "value": v, "source": s} for k, v, s in rows],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        click.echo(f"# config file: {loaded.path or '(none; defaults)'}")
        width = max(len(k) for k, _, _ in rows)
        for key, value, source in rows:
            text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
            click.echo(f"{key.ljust(width)}  {text}  [{source}]")

    @config.command("init")
    @click.argument("path", type=click.Path(path_type=Path, dir_okay=False), required=False)
    @click.option("--force", is_flag=True, help="Overwrite an existing file.")
    def config_init(path: Path | None, force: bool) -> None:
        """Write a commented example config (default: the per-user config file)."""
        from clipora_core.config import default_config_path
        from clipora_core.config_views import example_yaml
        from clipora_core.fileio import atomic_write_text
        from clipora_core.plugins import get_host

        target = path or default_config_path()
        if target.exists() and not force:
            click.echo(f"[clipora] error: {target} exists (use --force to overwrite)", err=True)
            sys.exit(1)
        atomic_write_text(target, example_yaml(get_host().config_sections()))
        click.echo(str(target))
