"""``clipora batch``: every recording under PATH... through an executor, with one report."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from clipora_core.cli.options import Ctx, common_options


def register(cli: click.Group) -> None:
    @cli.command()
    @click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
    @click.option(
        "--products",
        type=click.Path(path_type=Path),
        default=None,
        metavar="FILE|DIR",
        help="One product list for every recording, or a folder with a list per recording "
        "named like it (shop-0601.mp4 -> shop-0601.csv).",
    )
    @click.option(
        "--executor",
        default=None,
        metavar="NAME",
        help="Where the work runs: local (this machine, default) or an installed executor "
        "such as ray (see `clipora plugins list`).",
    )
    @click.option(
        "--address",
        default=None,
        metavar="ADDR",
        help="The cluster to join, for executors that take one (ray: HOST:PORT or auto).",
    )
    @common_options
    def batch(
        ctx: Ctx,
        paths: tuple[Path, ...],
        products: Path | None,
        executor: str | None,
        address: str | None,
    ) -> None:
        """Make clips of every recording in PATHS (videos, folders, .txt lists).

        \b
        Each recording gets its own job in the workdir; rerun the same command to continue:
        finished recordings are skipped, unfinished ones go on where they stopped. At the end
        batch-report.html and batch-report.json in the workdir list every recording with its
        clips. Exits 1 when a recording failed (the others still finish).
        """
        sys.exit(run_batch(ctx, list(paths), products, executor, address))


def _load(ctx: Ctx, executor: str | None, address: str | None) -> Any:
    """The config with ``--executor`` and ``--address`` applied as ``--set`` values (so units
    on other machines get them too); ``--address`` only for an executor whose options have one."""
    from clipora_core.errors import UsageError

    if executor:
        ctx.sets.append(f"batch.executor={executor}")
    loaded = ctx.load()
    if not address:
        return loaded
    name = str(loaded.settings.batch.executor)
    options = getattr(loaded.settings.batch, name, None)
    if options is None or "address" not in type(options).model_fields:
        raise UsageError(
            f"executor {name!r} does not join a cluster: --address is not for it",
            hint="use --executor ray --address HOST:PORT, or leave --address out",
        )
    ctx.sets.append(f"batch.{name}.address={address}")
    return ctx.load()


def run_batch(
    ctx: Ctx, paths: list[Path], products: Path | None, executor: str | None, address: str | None
) -> int:
    from clipora_core.batch import Batch, Recording
    from clipora_core.batch_inputs import attach_products, collect_recordings
    from clipora_core.capabilities import Kind
    from clipora_core.plugins import get_host

    loaded = _load(ctx, executor, address)
    host = get_host()
    inputs = attach_products(collect_recordings(paths), products)
    name = str(loaded.settings.batch.executor)
    runner = host.create(Kind.EXECUTOR, name, loaded.settings, config_key="batch.executor")
    batch = Batch(
        inputs=inputs,
        loaded=loaded,
        sets=list(ctx.sets),
        executor=runner,
        executor_name=name,
        host=host,
    )
    batch.recordings = [Recording(i) for i in inputs]
    view = BatchView(batch, quiet=ctx.quiet)
    try:
        if runner.remote:
            check_shared(runner, batch.workdir, [i.video for i in inputs], loaded.path)
        view.say(f"{len(inputs)} recordings · {batch.where} · workdir {batch.workdir}")
        for rec in batch.recordings:
            batch.prepare(rec)
            if rec.outcome == "skipped":
                view.say(f"finished earlier: {rec.name}")
            elif rec.outcome == "failed":
                view.say(f"FAILED {rec.name}: {rec.error}")
        view.started = True
        view.run()
    except KeyboardInterrupt:
        for rec in batch.recordings:
            if rec.outcome == "pending" and rec.future is not None:
                rec.outcome = "interrupted"
        raise
    finally:
        runner.close()
        view.close()
        if view.started:
            _, html_path = batch.report()
            view.summary(html_path)
    click.echo(str(html_path))
    return 1 if any(r.outcome == "failed" for r in batch.recordings) else 0


def check_shared(runner: Any, workdir: Path, videos: list[Path], config: Path | None) -> None:
    """Every worker must see this workdir (the same storage, not just the same path: a marker
    file written here must be there), the recordings and the config file."""
    import uuid

    from clipora_core.errors import InputError

    try:
        workdir.mkdir(parents=True, exist_ok=True)
        marker = workdir / f".clipora-shared-{uuid.uuid4().hex[:8]}"
        marker.write_text("written by clipora batch to check shared storage\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"cannot write to workdir {workdir}: {exc.strerror}",
            hint="set paths.workdir to a writable folder on shared storage",
        ) from None
    try:
        runner.check_shared([marker, *videos, *([Path(config)] if config else [])])
    finally:
        marker.unlink(missing_ok=True)


class BatchView:
    """Submits the pending recordings as room frees up and shows where they are: an overall
    bar (done / running / failed) and a bar per recording in flight."""

    def __init__(self, batch: Any, quiet: bool) -> None:
        self.batch = batch
        self.quiet = quiet
        self.progress: Any = None
        self.tasks: dict[int, Any] = {}
        self.started = False

    def say(self, text: str) -> None:
        if self.quiet:
            return
        if self.progress is not None:
            self.progress.console.print(f"[clipora] {text}", markup=False, highlight=False)
        else:
            click.echo(f"[clipora] {text}", err=True)

    def _start_progress(self) -> None:
        if self.quiet:
            return
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console(stderr=True)
        if not console.is_terminal:
            return  # a log file or a pipe gets the one-line messages only
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.progress.start()
        self.overall = self.progress.add_task("recordings", total=len(self.batch.recordings))

    def run(self) -> None:
        batch = self.batch
        pending = [r for r in batch.recordings if r.outcome == "pending"]
        in_flight: list[Any] = []
        self._start_progress()
        limit = batch.at_once()
        while pending or in_flight:
            while pending and len(in_flight) < limit:
                rec = pending.pop(0)
                rec.future = batch.executor.submit(batch.unit(rec))
                in_flight.append(rec)
            time.sleep(0.5)
            for rec in [r for r in in_flight if r.future.done()]:
                in_flight.remove(rec)
                batch.settle(rec)
                self._finished(rec)
            self._refresh(in_flight)

    def _finished(self, rec: Any) -> None:
        task = self.tasks.pop(id(rec), None)
        if task is not None and self.progress is not None:
            self.progress.remove_task(task)
        if rec.outcome == "done":
            res = rec.result
            clips = _clip_count(rec)
            self.say(f"done {rec.name}: {clips} clips in {res.wall_seconds:.0f} s on {res.host}")
        else:
            self.say(f"FAILED {rec.name}: {rec.error}")

    def _refresh(self, in_flight: list[Any]) -> None:
        if self.progress is None:
            return
        recs = self.batch.recordings
        done = sum(r.outcome in ("done", "skipped") for r in recs)
        failed = sum(r.outcome == "failed" for r in recs)
        finished = done + failed
        running = 0
        for rec in in_flight:
            stage, fraction = _where(rec)
            if stage is None:
                continue
            running += 1
            task = self.tasks.get(id(rec))
            label = f"  {rec.name[:40]}: {stage.replace('_', ' ')}"
            if task is None:
                self.tasks[id(rec)] = self.progress.add_task(label, total=1.0, completed=fraction)
            else:
                self.progress.update(task, description=label, completed=fraction)
        self.progress.update(
            self.overall,
            completed=finished,
            description=f"recordings: {done} done · {running} running · {failed} failed",
        )

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def summary(self, html_path: Path) -> None:
        recs = self.batch.recordings
        counts = {k: sum(r.outcome == k for r in recs) for k in ("done", "skipped", "failed")}
        text = (
            f"batch: {counts['done']} done, {counts['skipped']} finished earlier, "
            f"{counts['failed']} failed of {len(recs)}; report {html_path}"
        )
        self.say(text)


def _where(rec: Any) -> tuple[str | None, float]:
    """The stage a recording's job is in and the share of its work done (from its manifest)."""
    from clipora_core.fileio import read_json
    from clipora_core.workspace import JobManifest

    if rec.job is None:
        return None, 0.0
    try:
        manifest = JobManifest.model_validate(read_json(rec.job.root / "manifest.json"))
    except (OSError, ValueError):
        return None, 0.0
    return manifest.running_stage(), manifest.work_done()


def _clip_count(rec: Any) -> int:
    from clipora_core.fileio import read_json

    path = rec.job.root / "renders" / "execution_result.json" if rec.job else None
    if path is None or not path.is_file():
        return 0
    try:
        return int(read_json(path).get("success_count", 0))
    except (OSError, ValueError):
        return 0
