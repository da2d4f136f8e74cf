"""``clipora batch``: many recordings through an executor, resumable, one report at the end.

The driver (this module, in the user's process) does only what is cheap and must be central:
it finds each recording's job (an existing job of the same file continues; a new one is created
otherwise), stores the recording's product list in it, skips recordings whose every stage is
still fresh, and hands the rest to the executor as ``recording`` units. Workers load the config,
open the job by path and run the stages exactly as ``clipora run`` would; with an executor whose
units run on other machines, a recording's clip renders go through it too. One recording's
failure never stops the others; the report is written at the end, and also when interrupted.
"""

from __future__ import annotations

import concurrent.futures as cf
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clipora_core.batch_inputs import BatchInput
from clipora_core.batch_report import BatchReport, Outcome, recording_entry, write_report
from clipora_core.config import LoadedConfig, load_config, remember_sets
from clipora_core.contracts import Resources, UnitResult, WorkUnit
from clipora_core.errors import CliporaError, InputError
from clipora_core.fileio import read_json
from clipora_core.workspace import STAGES, JobManifest, JobWorkspace, stage_failed

# Where a recording's last unit result is kept in its job folder.
UNIT_RESULT = "batch_unit.json"


@dataclass
class Recording:
    """One recording's way through the batch."""

    input: BatchInput
    job: JobWorkspace | None = None
    outcome: Outcome = "pending"
    duration: float = 0.0
    error: str = ""
    result: UnitResult | None = None
    future: cf.Future[UnitResult] | None = None

    @property
    def name(self) -> str:
        return self.input.video.name


def jobs_by_source(workdir: Path) -> dict[tuple[str, int], Path]:
    """Every job in ``workdir`` by the file it was made from (path, size); the newest wins.
    Read once per batch: a workdir may hold thousands of jobs."""
    newest: dict[tuple[str, int], tuple[str, Path]] = {}
    if not workdir.is_dir():
        return {}
    for manifest in workdir.glob("*/manifest.json"):
        try:
            m = JobManifest.model_validate(read_json(manifest))
        except (OSError, ValueError):
            continue
        key = (m.source.path, m.source.size_bytes)
        if key not in newest or m.created_at > newest[key][0]:
            newest[key] = (m.created_at, manifest.parent)
    return {k: root for k, (_, root) in newest.items()}


@dataclass
class Batch:
    inputs: list[BatchInput]
    loaded: LoadedConfig
    sets: list[str]
    executor: Any
    executor_name: str
    host: Any
    recordings: list[Recording] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    # Where the units run, in words (asked once: the executor may be closed by report time).
    where: str = ""
    _known: dict[tuple[str, int], Path] | None = None

    def __post_init__(self) -> None:
        self.where = self.executor.describe()

    def find_job(self, video: Path) -> JobWorkspace | None:
        """The job made from this file (same path and size) in the workdir, if any."""
        if self._known is None:
            self._known = jobs_by_source(self.workdir)
        root = self._known.get((str(video), video.stat().st_size))
        return JobWorkspace.open(root) if root is not None else None

    @property
    def workdir(self) -> Path:
        return Path(self.loaded.settings.paths.workdir).expanduser().resolve()

    # --- preparing jobs -------------------------------------------------------------------------

    def _job_config(self, job: JobWorkspace) -> LoadedConfig:
        return load_config(
            self.loaded.path,
            cli_set=self.sets,
            job_set=job.manifest.config_sets,
            sections=self.host.config_sections(),
        )

    def _probe_ok(self, video: Path) -> tuple[str, float]:
        """('', duration) when the file can be worked on, else why not (no job is made)."""
        from clipora_core.capabilities import Kind

        try:
            prober = self.host.create(
                Kind.PROBER,
                self.loaded.settings.inspect.prober,
                self.loaded.settings,
                config_key="inspect.prober",
            )
            probe = prober.probe(video)
        except CliporaError as exc:
            return exc.one_line(), 0.0
        if not probe.has_video:
            return f"{video.name} has no video stream", 0.0
        return "", probe.duration_seconds

    def prepare(self, rec: Recording) -> None:
        """Find or create the recording's job, give it its list; mark it skipped when every
        stage is still fresh."""
        from clipora_core.engine import Engine

        video = rec.input.video
        job = self.find_job(video)
        if job is None:
            problem, rec.duration = self._probe_ok(video)
            if problem:
                rec.outcome, rec.error = "failed", problem
                return
            job = JobWorkspace.create(self.workdir, video)
        elif job.manifest.probe is not None:
            rec.duration = job.manifest.probe.duration_seconds
        rec.job = job
        try:
            job.acquire()
        except InputError as exc:
            rec.outcome, rec.error = "failed", exc.one_line()
            return
        try:
            # Where this batch ran is not part of the job: a later `clipora run` on it
            # must not inherit it.
            own = [x for x in self.sets if not x.strip().startswith("batch.")]
            merged = remember_sets(self.loaded.model, job.manifest.config_sets, own)
            if merged != job.manifest.config_sets:
                job.update(config_sets=merged)
            if rec.input.products is not None:
                job.store_products(rec.input.products)
            engine = Engine(job=job, config=self._job_config(job), host=self.host)
            if all(engine.is_fresh(name) for name in STAGES):
                rec.outcome = "skipped"
        finally:
            job.release()

    # --- running --------------------------------------------------------------------------------

    def unit(self, rec: Recording) -> WorkUnit:
        assert rec.job is not None
        b = self.loaded.settings.batch
        return WorkUnit(
            kind="recording",
            id=rec.job.job_id,
            job_dir=str(rec.job.root),
            config_file=str(self.loaded.path) if self.loaded.path else None,
            config_sets=list(self.sets),
            inner_executor=self.executor_name if self.executor.remote else None,
            thumbnails=bool(b.thumbnails),
            resources=Resources(
                cpus=b.cpus_per_recording,
                memory_mb=b.memory_mb_per_recording,
                gpus=self._gpus(rec),
            ),
            retries=int(b.retries),
        )

    def _gpus(self, rec: Recording) -> float:
        """A GPU for the recording's unit when it transcribes on one itself: not when its
        speech goes out in spans (each span asks for its own; a waiting unit keeps its GPU)."""
        from clipora_core.asr_spans import asr_gpus
        from clipora_core.engine import Engine

        assert rec.job is not None
        config = self._job_config(rec.job)
        span = float(config.settings.asr.span_seconds)
        if self.executor.remote and span > 0 and rec.duration > 1.5 * span:
            return 0.0
        return asr_gpus(Engine(job=rec.job, config=config, host=self.host))

    def at_once(self) -> int:
        """Recordings in flight: ``batch.recordings``, else as many as the executor's CPUs
        hold at ``batch.cpus_per_recording`` each (Ray queues beyond that itself)."""
        b = self.loaded.settings.batch
        if b.recordings:
            return int(b.recordings)
        return max(1, int(self.executor.cpus() // b.cpus_per_recording))

    def settle(self, rec: Recording) -> None:
        """Record a finished future's outcome (in the job too when its worker kept dying)."""
        assert rec.future is not None
        try:
            result = rec.future.result()
        except Exception as exc:  # noqa: BLE001 - a lost worker fails this recording only
            rec.outcome = "failed"
            rec.error = (
                exc.one_line() if isinstance(exc, CliporaError) else f"{type(exc).__name__}: {exc}"
            )
            self._mark_lost(rec, exc)
            return
        rec.result = result
        rec.outcome = "done" if result.ok else "failed"
        rec.error = result.error
        if rec.job is not None:
            # Kept with the job: a later batch that skips it still reports what it cost.
            rec.job.write_json(UNIT_RESULT, result)

    def _mark_lost(self, rec: Recording, exc: Exception) -> None:
        if rec.job is None:
            return
        try:
            job = JobWorkspace.open(rec.job.root)
            job.acquire()
        except CliporaError:
            return
        try:
            # acquire() turned the dead worker's "running" stage into "interrupted".
            for name in STAGES:
                if job.stage(name).status == "interrupted":
                    stage_failed(job, name, exc)
                    break
        finally:
            job.release()
        rec.job = job

    @staticmethod
    def _earlier_result(job: JobWorkspace) -> UnitResult | None:
        path = job.path(UNIT_RESULT)
        try:
            return UnitResult.model_validate_json(path.read_bytes()) if path.is_file() else None
        except (OSError, ValueError):
            return None

    def report(self) -> tuple[Path, Path]:
        entries = []
        for rec in self.recordings:
            job = JobWorkspace.open(rec.job.root) if rec.job is not None else None
            extra: dict[str, Any] = {"error": rec.error}
            if rec.input.products_source:
                extra["products_source"] = rec.input.products_source
            result = rec.result or (self._earlier_result(job) if job is not None else None)
            if result is not None:
                extra.update(
                    wall_seconds=result.wall_seconds,
                    cpu_seconds=result.cpu_seconds,
                    host=result.host,
                    attempts=result.attempts,
                )
            entries.append(
                recording_entry(rec.input.video, rec.outcome, job, self.workdir, **extra)
            )
        report = BatchReport(
            workdir=str(self.workdir),
            executor=self.where,
            wall_seconds=round(time.monotonic() - self.started, 2),
            recordings=entries,
        )
        return write_report(report, self.workdir)
