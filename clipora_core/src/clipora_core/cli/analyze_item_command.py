"""``clipora analyze-item``: plan one item again; the other items keep their plans."""

from __future__ import annotations

from pathlib import Path

import click

from clipora_core.cli.jobs import (
    engine,
    finish,
    keep_products,
    load_for_job,
    open_job,
    products_for,
    remember_sets,
)
from clipora_core.cli.options import Ctx, common_options, products_option


def register(cli: click.Group) -> None:
    @cli.command("analyze-item")
    @click.argument("job_dir", type=click.Path(path_type=Path))
    @click.option(
        "--semantic-item-id", required=True, help="Item to (re)analyze, e.g. semantic-item-001."
    )
    @products_option
    @common_options
    def analyze_item(ctx: Ctx, job_dir: Path, semantic_item_id: str, products: Path | None) -> None:
        """Re-analyze one item and update the edit plan."""
        loaded = load_for_job(ctx, job_dir)
        product_list, warning = products_for(loaded, products)
        job = open_job(job_dir)
        remember_sets(ctx, job, loaded)
        try:
            keep_products(job, product_list, warning)
            engine(job, loaded).reanalyze_item(semantic_item_id)
        finally:
            job.release()
        finish(job)
