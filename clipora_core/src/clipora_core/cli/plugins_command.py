"""``clipora plugins list``: every plugin, what it registers, and load errors."""

from __future__ import annotations

import json
from typing import Any

import click


def register(cli: click.Group) -> None:
    @cli.group()
    def plugins() -> None:
        """Inspect installed plugins."""

    @plugins.command("list")
    @click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
    def plugins_list(as_json: bool) -> None:
        """Every plugin: distribution, version, hooks, capabilities, load errors."""
        from clipora_core.plugins import get_host

        records = get_host().plugin_list()
        if as_json:
            click.echo(json.dumps([r.to_json() for r in records], ensure_ascii=False, indent=2))
            return
        _print_plugins(records)


def _print_plugins(records: list[Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Clipora plugins", show_lines=True)
    for col in ("plugin", "distribution", "version", "hooks", "capabilities", "error"):
        table.add_column(col, overflow="fold")
    for r in records:
        caps = []
        for c in r.capabilities:
            where = []
            if c.languages and c.languages != ["*"]:
                where.append(
                    "lang=" + ",".join(c.languages[:6]) + ("…" if len(c.languages) > 6 else "")
                )
            if c.formats:
                where.append("formats=" + ",".join(c.formats))
            if c.devices:
                where.append("devices=" + ",".join(c.devices))
            where.append("network" if c.needs_network else "offline")
            if c.needs_credentials:
                where.append("credentials")
            for k, v in c.features.items():
                if isinstance(v, bool | str | int):
                    where.append(f"{k}={v}")
            caps.append(f"{c.kind.value}:{c.name} ({'; '.join(where)})")
        hooks = ", ".join(h.removeprefix("register_") for h in r.hooks)
        status = "disabled" if r.disabled else (r.error or "")
        table.add_row(r.name, r.distribution, r.version, hooks, "\n".join(caps), status)
    Console().print(table)
