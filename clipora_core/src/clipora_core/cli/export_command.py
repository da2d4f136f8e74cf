"""``clipora export``: a job's clips as files an editor opens."""

from __future__ import annotations

from pathlib import Path

import click

from clipora_core.cli.options import Ctx, common_options


def register(cli: click.Group) -> None:
    @cli.command()
    @click.argument("job_dir", type=click.Path(path_type=Path))
    @click.option(
        "--format",
        "fmt",
        required=True,
        metavar="NAME",
        help="An installed export format: otio, fcpxml (Final Cut Pro, DaVinci Resolve), "
        "xmeml (Premiere Pro, FCP 7), edl (`clipora plugins list` shows them).",
    )
    @click.option(
        "--plan",
        "plan",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="Export this plan instead of the job's analysis/edit_plan.json.",
    )
    @common_options
    def export(ctx: Ctx, job_dir: Path, fmt: str, plan: Path | None) -> None:
        """Write JOB_DIR's clips as editor timelines that cut the original recording."""
        from clipora_core.cli.jobs import engine, load_for_job, open_job
        from clipora_core.exporting import export_plan
        from clipora_core.progress import close_job_logger

        loaded = load_for_job(ctx, job_dir)
        job = open_job(job_dir)
        try:
            files = export_plan(engine(job, loaded), fmt, plan)
        finally:
            close_job_logger(job)
            job.release()
        for f in files:
            click.echo(str(f))
