"""The ``clipora`` command line.

Heavy modules are imported inside commands, never at module level: ``clipora --help`` and
``clipora plugins list`` must start fast with every plugin installed.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from clipora_core.errors import DISK_ERRORS, DISK_HINT, CliporaError, InputError, UsageError
from clipora_core.memory import limit_malloc_arenas


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
            cli_set=list(job_sets or []) + self.sets,
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
        return _guard(ctx, func, **kwargs)

    return wrapper


def _guard(ctx: Ctx, func: Callable[..., Any], **kwargs: Any) -> Any:
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


# --- helpers -------------------------------------------------------------------------------------


def _check_video_path(video: Path) -> Path:
    if not video.exists():
        raise InputError(f"video not found: {video}", hint="check the path")
    if video.is_dir():
        raise InputError(
            f"{video} is a folder, not a video file",
            hint="pass a video file or a job folder made by clipora",
        )
    if not os.access(video, os.R_OK):
        raise InputError(
            f"cannot read {video}: permission denied", hint="fix the file's permissions"
        )
    if video.stat().st_size == 0:
        raise InputError(f"{video} is empty (0 bytes)", hint="pass a complete video file")
    return video.resolve()


def _open_or_create(ctx: Ctx, loaded: Any, target: Path, last_stage: str) -> Any:
    from clipora_core.capabilities import Kind
    from clipora_core.engine import Engine
    from clipora_core.plugins import get_host
    from clipora_core.workspace import JobWorkspace

    Engine(job=None, config=loaded, host=get_host()).preflight(last_stage)
    if target.is_dir() and (target / "manifest.json").is_file():
        job = JobWorkspace.open(target)
    else:
        video = _check_video_path(target)
        # Probe before creating anything, so a bad input leaves no job folder behind.
        host = get_host()
        prober = host.get(Kind.PROBER, loaded.settings.inspect.prober, "inspect.prober").load()(
            loaded.settings
        )
        probe = prober.probe(video)
        if not probe.has_video:
            raise InputError(f"{video.name} has no video stream", hint="pass a video file")
        job = JobWorkspace.create(Path(loaded.settings.paths.workdir), video)
    job.acquire()
    _remember_sets(ctx, job, loaded)
    _announce(job)
    return job


def _open_job(job_dir: Path) -> Any:
    from clipora_core.workspace import JobWorkspace

    job = JobWorkspace.open(job_dir)
    job.acquire()
    _announce(job)
    return job


def _peek_job(target: Path) -> Any:
    """The job at ``target`` (unlocked), or None when it is not a job folder."""
    from clipora_core.workspace import JobWorkspace

    if target.is_dir() and (target / "manifest.json").is_file():
        return JobWorkspace.open(target)
    return None


def _load_for_job(ctx: Ctx, target: Path, overrides: dict[str, Any] | None = None) -> Any:
    """A job remembers the ``--set`` values it was run with: later commands on it use them
    (so `render <job>` after `run --set cleaning.enabled=true` does not undo the cleaning)."""
    job = _peek_job(target)
    return ctx.load(overrides, job.manifest.config_sets if job is not None else [])


def _remember_sets(ctx: Ctx, job: Any, loaded: Any) -> None:
    from clipora_core.config import remember_sets

    merged = remember_sets(loaded.model, job.manifest.config_sets, ctx.sets)
    if merged != job.manifest.config_sets:
        job.update(config_sets=merged)
    if job.manifest.config_sets and not ctx.quiet:
        job.log(
            "settings from earlier commands on this job: " + " ".join(job.manifest.config_sets),
            level="debug",
        )


def _products_for(loaded: Any, option: Path | None) -> tuple[Any, str]:
    """The product list to give the job (None: keep its own) and a warning; parsed before any
    job folder is created or changed, so a bad list leaves nothing behind."""
    from clipora_core.products import resolve_products

    return resolve_products(option, loaded.settings)


def _keep_products(job: Any, products: Any, warning: str) -> None:
    import logging

    from clipora_core.progress import terminal

    if warning:
        job.log(warning, level="warning")
        terminal().message(logging.WARNING, warning)
    if products is not None and job.store_products(products):
        terminal().message(
            logging.INFO,
            f"product list: {len(products.products)} products from {products.source}",
        )


def _announce(job: Any) -> None:
    from clipora_core.progress import terminal

    if not terminal().quiet:
        click.echo(f"[clipora] job={job.root}", err=True)
        click.echo(f"[clipora] log={job.log_path}", err=True)


def _engine(job: Any, loaded: Any) -> Any:
    from clipora_core.engine import Engine
    from clipora_core.plugins import get_host

    return Engine(job=job, config=loaded, host=get_host())


def _finish(job: Any) -> None:
    from clipora_core.progress import close_job_logger, terminal

    terminal().close()
    _report(job)
    close_job_logger(job)
    job.release()
    click.echo(str(job.root))


def _report_probe(job: Any) -> None:
    """One line about the probed source, for `clipora inspect`."""
    from clipora_core.contracts import MediaProbe
    from clipora_core.progress import terminal

    path = job.path("inspect/probe.json")
    if terminal().quiet or not path.is_file():
        return
    p = MediaProbe.model_validate_json(path.read_text(encoding="utf-8"))
    rate = f"{p.frame_rate:g} fps" if p.frame_rate else "unknown frame rate"
    parts = [
        f"{p.duration_seconds:.1f}s",
        p.container or "?",
        f"{p.video_codec} {p.video_width}x{p.video_height}",
        rate + (" (variable)" if p.variable_frame_rate else ""),
    ]
    if p.rotation:
        parts.append(f"rotated {p.rotation}°")
    parts.append(f"audio {p.audio_codec}" if p.has_audio else "no audio")
    click.echo(f"[clipora] probe: {', '.join(parts)}", err=True)


def _report(job: Any) -> None:
    from clipora_core.progress import terminal

    result_path = job.path("renders/execution_result.json")
    if terminal().quiet:
        return
    for d in job.manifest.dropped:
        click.echo(f"[clipora] {d.kind}: {d.stage} {d.unit} {d.id}: {d.reason}", err=True)
    if job.stage("render").status == "completed" and result_path.is_file():
        data = json.loads(result_path.read_text(encoding="utf-8"))
        for art in data.get("artifacts", []):
            mark = "ok " if art.get("success") else "FAILED"
            dur = art.get("duration_seconds")
            dur_text = f"{dur:6.1f}s" if isinstance(dur, int | float) else "      "
            click.echo(f"[clipora] {mark} {dur_text} {art.get('output_path')}", err=True)


def _run_stage_command(
    ctx: Ctx,
    job_dir: Path,
    stage: str,
    force: bool,
    overrides: dict[str, Any] | None = None,
    *,
    with_products: bool = False,
    products: Path | None = None,
) -> None:
    loaded = _load_for_job(ctx, job_dir, overrides)
    product_list, warning = _products_for(loaded, products) if with_products else (None, "")
    job = _open_job(job_dir)
    _remember_sets(ctx, job, loaded)
    try:
        _keep_products(job, product_list, warning)
        _engine(job, loaded).run_through(stage, force={stage} if force else set())
    finally:
        job.release()
    _finish(job)


def _run_on_video(ctx: Ctx, target: Path, stage: str, force: bool) -> Any:
    """Create the job for a recording (or open a job folder) and run up to ``stage``."""
    loaded = _load_for_job(ctx, target)
    job = _open_or_create(ctx, loaded, target, stage)
    try:
        _engine(job, loaded).run_through(stage, force={stage} if force else set())
    finally:
        job.release()
    return job


# --- commands ------------------------------------------------------------------------------------


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

    @cli.command()
    @click.argument("video", type=click.Path(path_type=Path))
    @click.option(
        "--force",
        "force",
        multiple=True,
        metavar="STAGE",
        help="Rerun this stage even if it finished (repeatable; later stages rerun too).",
    )
    @products_option
    @common_options
    def run(ctx: Ctx, video: Path, force: tuple[str, ...], products: Path | None) -> None:
        """Run every stage on VIDEO (or continue the job folder VIDEO)."""
        from clipora_core.workspace import STAGES

        bad = [f for f in force if f.replace("-", "_") not in STAGES]
        if bad:
            raise UsageError(
                f"unknown stage {bad[0]!r} for --force", hint=f"stages: {', '.join(STAGES)}"
            )
        loaded = _load_for_job(ctx, video)
        product_list, warning = _products_for(loaded, products)
        job = _open_or_create(ctx, loaded, video, "render")
        try:
            _keep_products(job, product_list, warning)
            _engine(job, loaded).run_through("render", force={f.replace("-", "_") for f in force})
        finally:
            job.release()
        _finish(job)
        _exit_on_clip_failures(job)

    @cli.command()
    @click.argument("video", type=click.Path(path_type=Path))
    @click.option("--force", is_flag=True, help="Rerun cleaning even if it finished.")
    @common_options
    def clean(ctx: Ctx, video: Path, force: bool) -> None:
        """Create a job for VIDEO (or reuse a job folder) and run the clean stage."""
        _finish(_run_on_video(ctx, video, "clean", force))

    def stage_command(name: str, stage: str, doc: str) -> None:
        @cli.command(name=name, help=doc)
        @click.argument("job_dir", type=click.Path(path_type=Path))
        @click.option("--force", is_flag=True, help="Rerun this stage even if it finished.")
        @products_option
        @common_options
        def command(ctx: Ctx, job_dir: Path, force: bool, products: Path | None) -> None:
            _run_stage_command(ctx, job_dir, stage, force, with_products=True, products=products)

    @cli.command()
    @click.argument("video", type=click.Path(path_type=Path))
    @click.option("--force", is_flag=True, help="Probe again even if inspect finished.")
    @common_options
    def inspect(ctx: Ctx, video: Path, force: bool) -> None:
        """Probe VIDEO (or a job folder's source) into inspect/probe.json; runs clean first."""
        job = _run_on_video(ctx, video, "inspect", force)
        _report_probe(job)
        _finish(job)

    stage_command(
        "semantic-discover",
        "semantic_discover",
        "Transcribe and find product-selling intervals (earlier stages run if needed).",
    )
    stage_command(
        "semantic-cluster", "semantic_cluster", "Group intervals of the same product into items."
    )
    stage_command("analyze", "analyze", "Write the edit plan: hook + body windows per item.")

    @cli.command("analyze-item")
    @click.argument("job_dir", type=click.Path(path_type=Path))
    @click.option(
        "--semantic-item-id", required=True, help="Item to (re)analyze, e.g. semantic-item-001."
    )
    @products_option
    @common_options
    def analyze_item(ctx: Ctx, job_dir: Path, semantic_item_id: str, products: Path | None) -> None:
        """Re-analyze one item and update the edit plan."""
        loaded = _load_for_job(ctx, job_dir)
        product_list, warning = _products_for(loaded, products)
        job = _open_job(job_dir)
        _remember_sets(ctx, job, loaded)
        try:
            _keep_products(job, product_list, warning)
            _engine(job, loaded).reanalyze_item(semantic_item_id)
        finally:
            job.release()
        _finish(job)

    @cli.command()
    @click.argument("job_dir", type=click.Path(path_type=Path))
    @click.option(
        "--plan",
        "plan_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="Render this plan (EditPlan or item plan JSON) instead of the job's own.",
    )
    @click.option("--force", is_flag=True, help="Rerender even if the clips exist.")
    @click.option(
        "--subtitle-position",
        type=click.Choice(["bottom", "top", "short_video_safe"]),
        default=None,
    )
    @click.option(
        "--subtitle-font-theme",
        type=click.Choice(["default", "short_video_bold", "minimal"]),
        default=None,
    )
    @common_options
    def render(
        ctx: Ctx,
        job_dir: Path,
        plan_path: Path | None,
        force: bool,
        subtitle_position: str | None,
        subtitle_font_theme: str | None,
    ) -> None:
        """Render clips from the job's edit plan, or deterministically from --plan."""
        overrides: dict[str, Any] = {}
        if subtitle_position:
            overrides["render_subtitles.position_preset"] = subtitle_position
        if subtitle_font_theme:
            overrides["render_subtitles.font_theme"] = subtitle_font_theme
        if plan_path is None:
            _run_stage_command(ctx, job_dir, "render", force, overrides)
            job = _reopen(job_dir)
            _exit_on_clip_failures(job)
            return
        loaded = _load_for_job(ctx, job_dir, overrides)
        job = _open_job(job_dir)
        _remember_sets(ctx, job, loaded)
        try:
            _engine(job, loaded).replay_plan(plan_path.resolve())
        finally:
            job.release()
        _finish(job)
        _exit_on_clip_failures(job)

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

    @cli.group()
    def config() -> None:
        """Show or create configuration."""

    @config.command("show")
    @click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
    @common_options
    def config_show(ctx: Ctx, as_json: bool) -> None:
        """Print the effective config and where each value comes from (secrets masked)."""
        from clipora_core.config import effective_rows

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
        from clipora_core.config import default_config_path, example_yaml
        from clipora_core.fileio import atomic_write_text
        from clipora_core.plugins import get_host

        target = path or default_config_path()
        if target.exists() and not force:
            click.echo(f"[clipora] error: {target} exists (use --force to overwrite)", err=True)
            sys.exit(1)
        atomic_write_text(target, example_yaml(get_host().config_sections()))
        click.echo(str(target))

    from clipora_core.plugins import get_host

    get_host().commands(cli)
    return cli


def _reopen(job_dir: Path) -> Any:
    from clipora_core.workspace import JobWorkspace

    return JobWorkspace.open(job_dir)


def _exit_on_clip_failures(job: Any) -> None:
    path = job.path("renders/execution_result.json")
    if not path.is_file():
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    failed = data.get("failure_count", 0)
    if failed:
        click.echo(
            f"[clipora] error: {failed} of {failed + data.get('success_count', 0)} clips failed to render; "
            f"see {job.log_path}",
            err=True,
        )
        sys.exit(1)


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
            where.append("network" if c.needs_network else "local")
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


if __name__ == "__main__":
    main()
