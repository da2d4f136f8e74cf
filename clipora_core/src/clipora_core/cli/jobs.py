"""Opening or creating the job a command works on, the product list it keeps, running stages
through the engine, and what the terminal shows at the end."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from clipora_core.cli.options import Ctx
from clipora_core.errors import InputError


def check_video_path(video: Path) -> Path:
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


def open_or_create(ctx: Ctx, loaded: Any, target: Path, last_stage: str) -> Any:
    from clipora_core.capabilities import Kind
    from clipora_core.engine import Engine
    from clipora_core.plugins import get_host
    from clipora_core.workspace import JobWorkspace

    Engine(job=None, config=loaded, host=get_host()).preflight(last_stage)
    if target.is_dir() and (target / "manifest.json").is_file():
        job = JobWorkspace.open(target)
    else:
        video = check_video_path(target)
        # Probe before creating anything, so a bad input leaves no job folder behind.
        host = get_host()
        prober = host.create(
            Kind.PROBER,
            loaded.settings.inspect.prober,
            loaded.settings,
            config_key="inspect.prober",
        )
        probe = prober.probe(video)
        if not probe.has_video:
            raise InputError(f"{video.name} has no video stream", hint="pass a video file")
        job = JobWorkspace.create(Path(loaded.settings.paths.workdir), video)
    job.acquire()
    remember_sets(ctx, job, loaded)
    announce(job)
    return job


def open_job(job_dir: Path) -> Any:
    from clipora_core.workspace import JobWorkspace

    job = JobWorkspace.open(job_dir)
    job.acquire()
    announce(job)
    return job


def peek_job(target: Path) -> Any:
    """The job at ``target`` (unlocked), or None when it is not a job folder."""
    from clipora_core.workspace import JobWorkspace

    if target.is_dir() and (target / "manifest.json").is_file():
        return JobWorkspace.open(target)
    return None


def load_for_job(ctx: Ctx, target: Path, overrides: dict[str, Any] | None = None) -> Any:
    """A job remembers the ``--set`` values it was run with: later commands on it use them
    (so `render <job>` after `run --set cleaning.enabled=true` does not undo the cleaning)."""
    job = peek_job(target)
    return ctx.load(overrides, job.manifest.config_sets if job is not None else [])


def remember_sets(ctx: Ctx, job: Any, loaded: Any) -> None:
    from clipora_core.config import remember_sets

    merged = remember_sets(loaded.model, job.manifest.config_sets, ctx.sets)
    if merged != job.manifest.config_sets:
        job.update(config_sets=merged)
    if job.manifest.config_sets and not ctx.quiet:
        job.log(
            "settings from earlier commands on this job: " + " ".join(job.manifest.config_sets),
            level="debug",
        )


def products_for(loaded: Any, option: Path | None) -> tuple[Any, str]:
    """The product list to give the job (None: keep its own) and a warning; parsed before any
    job folder is created or changed, so a bad list leaves nothing behind."""
    from clipora_core.products import resolve_products

    return resolve_products(option, loaded.settings)


def keep_products(job: Any, products: Any, warning: str) -> None:
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


def announce(job: Any) -> None:
    from clipora_core.progress import terminal

    if not terminal().quiet:
        click.echo(f"[clipora] job={job.root}", err=True)
        click.echo(f"[clipora] log={job.log_path}", err=True)


def engine(job: Any, loaded: Any) -> Any:
    from clipora_core.engine import Engine
    from clipora_core.plugins import get_host

    return Engine(job=job, config=loaded, host=get_host())


def finish(job: Any) -> None:
    from clipora_core.progress import close_job_logger, terminal

    terminal().close()
    report(job)
    close_job_logger(job)
    job.release()
    click.echo(str(job.root))


def report_probe(job: Any) -> None:
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


def report(job: Any) -> None:
    from clipora_core.progress import terminal

    result_path = job.path("renders/execution_result.json")
    if terminal().quiet:
        return
    for d in job.manifest.dropped:
        click.echo(f"[clipora] {d.kind}: {d.stage} {d.unit} {d.id}: {d.reason}", err=True)
    if job.stage("render").status == "completed" and result_path.is_file():
        from clipora_core.ranking import best_first, score_total

        data = json.loads(result_path.read_text(encoding="utf-8"))
        # Best first: the clip a seller should post first heads the list.
        for art in best_first(data.get("artifacts", [])):
            mark = "ok " if art.get("success") else "FAILED"
            dur = art.get("duration_seconds")
            dur_text = f"{dur:6.1f}s" if isinstance(dur, int | float) else "      "
            total = score_total(art)
            score_text = f"score {total:3.0f}" if total is not None else " " * 9
            path = art.get("output_path")
            click.echo(f"[clipora] {mark} {dur_text} {score_text} {path}", err=True)


def run_stage_command(
    ctx: Ctx,
    job_dir: Path,
    stage: str,
    force: bool,
    overrides: dict[str, Any] | None = None,
    *,
    with_products: bool = False,
    products: Path | None = None,
) -> None:
    loaded = load_for_job(ctx, job_dir, overrides)
    product_list, warning = products_for(loaded, products) if with_products else (None, "")
    job = open_job(job_dir)
    remember_sets(ctx, job, loaded)
    try:
        keep_products(job, product_list, warning)
        engine(job, loaded).run_through(stage, force={stage} if force else set())
    finally:
        job.release()
    finish(job)


def run_on_video(ctx: Ctx, target: Path, stage: str, force: bool) -> Any:
    """Create the job for a recording (or open a job folder) and run up to ``stage``."""
    loaded = load_for_job(ctx, target)
    job = open_or_create(ctx, loaded, target, stage)
    try:
        engine(job, loaded).run_through(stage, force={stage} if force else set())
    finally:
        job.release()
    return job


def reopen(job_dir: Path) -> Any:
    from clipora_core.workspace import JobWorkspace

    return JobWorkspace.open(job_dir)


def exit_on_clip_failures(job: Any) -> None:
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
