"""Adds ``clipora web`` through the ``register_commands`` hook (entry point ``web``).

Imports only click here: FastAPI and uvicorn load when the command runs, so ``clipora --help``
stays fast and works without the ``web`` extra installed.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from pathlib import Path
from typing import Any

import click
from clipora_core.api import hookimpl

TOKEN_RE = re.compile(r"^[A-Za-z0-9._~-]{16,}$")
GENERATE = "\x00generate"


@hookimpl
def register_commands(cli: click.Group) -> None:
    cli.add_command(web)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--config",
    "config",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The config file the UI shows, edits and runs jobs with (fixed while it runs; "
    "default: CLIPORA_CONFIG or the per-user clipora.yaml).",
)
@click.option(
    "--token",
    "token",
    default=None,
    is_flag=False,
    flag_value=GENERATE,
    envvar="CLIPORA_WEB_TOKEN",
    metavar="[TOKEN]",
    help="Require this access token on every request (required with a --host other than "
    "loopback). `--token` alone generates one. Env: CLIPORA_WEB_TOKEN.",
)
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 16), help="Jobs run at once."
)
@click.option(
    "--max-upload-mb",
    default=4096,
    show_default=True,
    type=click.FloatRange(1, None),
    help="Largest video upload accepted.",
)
@click.option(
    "--media-dir",
    "media_dirs",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Folder whose videos may be named as 'a file on this server' (repeatable; "
    "default: the current folder). The workdir is always allowed.",
)
def web(
    host: str,
    port: int,
    config: Path | None,
    token: str | None,
    workers: int,
    max_upload_mb: float,
    media_dirs: tuple[Path, ...],
) -> None:
    """Serve the web UI: upload videos, follow jobs live, watch and download clips."""
    try:
        import uvicorn

        from clipora_web.app import create_app
    except ImportError as exc:
        click.echo(
            f"[clipora] error: the web UI needs its extra ({exc.name} is missing) "
            "(install it with: uv pip install clipora-web)",
            err=True,
        )
        sys.exit(2)
    from clipora_core.api import CliporaError

    if token == GENERATE:
        token = secrets.token_urlsafe(24)
    if token is not None and not TOKEN_RE.fullmatch(token):
        click.echo(
            "[clipora] error: the token must be at least 16 characters of letters, digits, "
            "'.', '_', '~' or '-'",
            err=True,
        )
        sys.exit(2)
    try:
        app = create_app(
            config,
            bind_host=host,
            token=token,
            workers=workers,
            max_upload_mb=max_upload_mb,
            media_dirs=list(media_dirs) or None,
        )
    except CliporaError as exc:
        click.echo(f"[clipora] error: {exc.one_line()}", err=True)
        sys.exit(exc.exit_code)
    ctx: Any = app.state.ctx
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown if host not in ('0.0.0.0', '::') else '127.0.0.1'}:{port}/"
    click.echo(f"[clipora] web config={ctx.config_path} workdir={ctx.workdir}", err=True)
    if token and os.environ.get("CLIPORA_WEB_TOKEN") != token:
        click.echo(f"[clipora] open {url}?token={token}", err=True)
    elif token:
        click.echo(f"[clipora] open {url}?token=<CLIPORA_WEB_TOKEN>", err=True)
    else:
        click.echo(f"[clipora] open {url}", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=15)
