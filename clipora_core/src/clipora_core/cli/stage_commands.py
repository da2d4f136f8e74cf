"""One command per stage: clean, inspect, semantic-discover, semantic-cluster, analyze."""

from __future__ import annotations

from pathlib import Path

import click

from clipora_core.cli.jobs import finish, report_probe, run_on_video, run_stage_command
from clipora_core.cli.options import Ctx, common_options, products_option


def register(cli: click.Group) -> None:
    @cli.command()
    @click.argument("video", type=click.Path(path_type=Path))
    @click.option("--force", is_flag=True, help="Rerun cleaning even if it finished.")
    @common_options
    def clean(ctx: Ctx, video: Path, force: bool) -> None:
        """Create a job for VIDEO (or reuse a job folder) and run the clean stage."""
        finish(run_on_video(ctx, video, "clean", force))

    def stage_command(name: str, stage: str, doc: str) -> None:
        @cli.command(name=name, help=doc)
        @click.argument("job_dir", type=click.Path(path_type=Path))
        @click.option("--force", is_flag=True, help="Rerun this stage even if it finished.")
        @products_option
        @common_options
        def command(ctx: Ctx, job_dir: Path, force: bool, products: Path | None) -> None:
            run_stage_command(ctx, job_dir, stage, force, with_products=True, products=products)

    @cli.command()
    @click.argument("video", type=click.Path(path_type=Path))
    @click.option("--force", is_flag=True, help="Probe again even if inspect finished.")
    @common_options
    def inspect(ctx: Ctx, video: Path, force: bool) -> None:
        """Probe VIDEO (or a job folder's source) into inspect/probe.json; runs clean first."""
        job = run_on_video(ctx, video, "inspect", force)
        report_probe(job)
        finish(job)

    stage_command(
        "semantic-discover",
        "semantic_discover",
        "Transcribe and find product-selling intervals (earlier stages run if needed).",
    )
    stage_command(
        "semantic-cluster", "semantic_cluster", "Group intervals of the same product into items."
    )
    stage_command("analyze", "analyze", "Write the edit plan: hook + body windows per item.")
