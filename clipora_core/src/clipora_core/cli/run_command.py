"""``clipora run``: every stage on a video, or the rest of them on a job folder."""

from __future__ import annotations

from pathlib import Path

import click

from clipora_core.cli.jobs import (
    engine,
    exit_on_clip_failures,
    finish,
    keep_products,
    load_for_job,
    open_or_create,
    products_for,
)
from clipora_core.cli.options import Ctx, common_options, products_option
from clipora_core.errors import UsageError


def register(cli: click.Group) -> None:
    @cli.command()
    @click.argument("video", type=click.Path(path_type=Path))
    @click.option(
        "--force",
        "force",
        multiple=True,
        metavar="STAGE",
        help="Rerun this stage even if it finished (repeatable; later stages rerun too).",
    )
    @click.option(
        "--review",
        is_flag=True,
        help="Stop after analyze so the clips can be reviewed; `clipora render JOB` renders "
        "them (also: review.enabled).",
    )
    @products_option
    @common_options
    def run(
        ctx: Ctx, video: Path, force: tuple[str, ...], products: Path | None, review: bool
    ) -> None:
        """Run every stage on VIDEO (or continue the job folder VIDEO)."""
        from clipora_core.workspace import STAGES

        bad = [f for f in force if f.replace("-", "_") not in STAGES]
        if bad:
            raise UsageError(
                f"unknown stage {bad[0]!r} for --force", hint=f"stages: {', '.join(STAGES)}"
            )
        loaded = load_for_job(ctx, video)
        product_list, warning = products_for(loaded, products)
        review = review or bool(loaded.settings.review.enabled)
        last = "analyze" if review else "render"
        job = open_or_create(ctx, loaded, video, last)
        try:
            keep_products(job, product_list, warning)
            engine(job, loaded).run_through(last, force={f.replace("-", "_") for f in force})
            if review:
                job.update(awaiting_review=True)
        finally:
            job.release()
        if review and not ctx.quiet:
            click.echo(
                "[clipora] the clips await review: edit them on the job's review page "
                f"(clipora web), then render them with `clipora render {job.root}`",
                err=True,
            )
        finish(job)
        exit_on_clip_failures(job)
