"""``clipora render``: the job's clips, or a plan replayed deterministically (``--plan``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from clipora_core.cli.jobs import (
    engine,
    exit_on_clip_failures,
    finish,
    load_for_job,
    open_job,
    remember_sets,
    reopen,
    run_stage_command,
)
from clipora_core.cli.options import Ctx, common_options


def register(cli: click.Group) -> None:
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
            run_stage_command(ctx, job_dir, "render", force, overrides)
            job = reopen(job_dir)
            exit_on_clip_failures(job)
            return
        loaded = load_for_job(ctx, job_dir, overrides)
        job = open_job(job_dir)
        remember_sets(ctx, job, loaded)
        try:
            engine(job, loaded).replay_plan(plan_path.resolve())
        finally:
            job.release()
        finish(job)
        exit_on_clip_failures(job)
