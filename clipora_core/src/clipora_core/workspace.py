"""Job workspaces: ``<workdir>/<job-id>/`` with ``manifest.json``, stage states and artifacts.

A job is locked (``flock`` on ``.lock``) by the process working on it. A stage found "running"
by a process that holds the lock cannot be running any more (its process died): it is reported
as interrupted and rerun, so a killed process never leaves a stage looking alive.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from clipora_core.contracts import (
    CleaningSummary,
    Document,
    DroppedUnit,
    MediaProbe,
    Model,
    ProductList,
    first_error,
    utc_now,
)
from clipora_core.errors import InputError, StageError
from clipora_core.fileio import read_json, write_json

# The stages in the order they run (their objects: clipora_core.stages).
STAGES: tuple[str, ...] = (
    "clean",
    "inspect",
    "semantic_discover",
    "semantic_cluster",
    "analyze",
    "render",
)
# The seller's product list, as the last command that was given one stored it.
PRODUCTS_FILE = "inputs/products.json"
Status = Literal["pending", "running", "completed", "failed", "interrupted", "stopped"]


class StageState(Model):
    status: Status = "pending"
    detail: str = ""
    error: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    fingerprint: str | None = None
    pid: int | None = None
    progress: float | None = None


class SourceInfo(Model):
    path: str
    size_bytes: int = 0
    mtime_ns: int = 0


class ProductListInfo(Model):
    """What the manifest says about the job's product list (the list is in PRODUCTS_FILE)."""

    count: int
    source: str = ""
    digest: str


# Each stage's usual share of a job's time (a realistic hour: transcription about half, the
# planning with clip rendering most of the rest), for progress over whole jobs.
STAGE_SHARE = {
    "clean": 0.02,
    "inspect": 0.01,
    "semantic_discover": 0.47,
    "semantic_cluster": 0.02,
    "analyze": 0.28,
    "render": 0.20,
}


class JobManifest(Document):
    job_id: str
    created_at: str = Field(default_factory=utc_now)
    source: SourceInfo
    effective_source_path: str = ""
    probe: MediaProbe | None = None
    analysis_video_type: str = ""
    cleaning: CleaningSummary = Field(default_factory=CleaningSummary)
    stages: dict[str, StageState] = Field(
        default_factory=lambda: {name: StageState() for name in STAGES}
    )
    outputs: dict[str, Any] = Field(default_factory=lambda: {"semantic_items": [], "renders": []})
    dropped: list[DroppedUnit] = Field(default_factory=list)
    summary: dict[str, Any] = Field(default_factory=dict)
    # `--set KEY=VALUE` values this job was run with (never secrets); later commands reuse them.
    config_sets: list[str] = Field(default_factory=list)
    products: ProductListInfo | None = None
    # The run stopped after analyze for the seller to review the clips (``review.enabled``);
    # cleared once the clips are rendered.
    awaiting_review: bool = False

    def running_stage(self) -> str | None:
        return next((n for n in STAGES if self.stages[n].status == "running"), None)

    def work_done(self) -> float:
        """The share of the job's work done, 0-1: finished stages and the running one's
        progress, weighted by ``STAGE_SHARE``."""
        done = 0.0
        for name, share in STAGE_SHARE.items():
            state = self.stages.get(name)
            if state is None:
                continue
            if state.status == "completed":
                done += share
            elif state.status == "running":
                done += share * float(state.progress or 0.0)
        return min(1.0, done)


def new_job_id() -> str:
    return uuid.uuid4().hex[:12]


def source_identity(path: Path) -> SourceInfo:
    st = path.stat()
    return SourceInfo(path=str(path), size_bytes=st.st_size, mtime_ns=st.st_mtime_ns)


def fingerprint(payload: Any) -> str:
    data = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


class JobWorkspace:
    def __init__(self, root: Path, manifest: JobManifest) -> None:
        self.root = root
        self.manifest = manifest
        self._lock = threading.RLock()
        self._lock_fh: Any = None

    # --- creation / opening -------------------------------------------------------------------

    @classmethod
    def create(cls, workdir: Path, source: Path) -> JobWorkspace:
        source = source.resolve()
        try:
            workdir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                f"cannot create workdir {workdir}: {exc.strerror}",
                hint="set paths.workdir to a writable folder",
            ) from None
        if not os.access(workdir, os.W_OK):
            raise InputError(
                f"workdir {workdir} is not writable", hint="set paths.workdir to a writable folder"
            )
        job_id = new_job_id()
        root = (workdir / job_id).resolve()
        root.mkdir()
        (root / "logs").mkdir()
        manifest = JobManifest(
            job_id=job_id, source=source_identity(source), effective_source_path=str(source)
        )
        job = cls(root, manifest)
        job.write_manifest()
        return job

    @classmethod
    def open(cls, root: Path) -> JobWorkspace:
        root = Path(root).resolve()
        path = root / "manifest.json"
        if not path.is_file():
            raise InputError(
                f"{root} is not a Clipora job (no manifest.json)",
                hint="pass a job folder printed by `clipora run` or `clipora clean`",
            )
        try:
            manifest = JobManifest.model_validate(read_json(path))
        except ValidationError as exc:
            msg = first_error(exc)
            if msg.startswith("schema_version:"):
                raise InputError(f"{path} cannot be read: {msg}") from None
            raise InputError(f"{path} is damaged: {msg}") from None
        except ValueError as exc:
            raise InputError(f"{path} is damaged: {str(exc).splitlines()[0]}") from None
        for name in STAGES:
            manifest.stages.setdefault(name, StageState())
        return cls(root, manifest)

    # --- locking ------------------------------------------------------------------------------

    def acquire(self) -> None:
        """Take the job lock; any stage still marked running is then known to be dead."""
        import fcntl

        fh = open(self.root / ".lock", "a+")  # noqa: SIM115 - held for the job's lifetime
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise InputError(
                f"job {self.manifest.job_id} is being processed by another clipora process",
                hint="wait for it to finish or stop it first",
            ) from None
        self._lock_fh = fh
        # Half-written files of a process killed mid-write (atomic writes go through a
        # ".<name>.<random>.tmp" beside the target): with the lock held nobody else writes here.
        for stale in self.root.rglob(".*.tmp"):
            if stale.is_file():
                stale.unlink(missing_ok=True)
        changed = False
        for name, state in self.manifest.stages.items():
            if state.status == "running":
                state.status = "interrupted"
                state.detail = "interrupted: the process working on it stopped before finishing"
                state.finished_at = utc_now()
                changed = True
                self.report_interrupted(name)
        if changed:
            self.write_manifest()

    def report_interrupted(self, name: str) -> None:
        # On the terminal as well as in the job log: the user should know why a stage reruns.
        import logging

        from clipora_core.progress import terminal

        text = f"{name} interrupted (previous process died); it will rerun"
        self.log(text, level="warning")
        terminal().message(logging.WARNING, text)

    def release(self) -> None:
        if self._lock_fh is not None:
            self._lock_fh.close()
            self._lock_fh = None

    # --- manifest -----------------------------------------------------------------------------

    @property
    def job_id(self) -> str:
        return self.manifest.job_id

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    @property
    def log_path(self) -> Path:
        return self.root / "logs" / "pipeline.log"

    @property
    def source_path(self) -> Path:
        return Path(self.manifest.source.path)

    @property
    def effective_source(self) -> Path:
        return Path(self.manifest.effective_source_path or self.manifest.source.path)

    def write_manifest(self) -> None:
        with self._lock:
            write_json(self.manifest_path, self.manifest)

    def update(self, **fields: Any) -> None:
        with self._lock:
            for key, value in fields.items():
                setattr(self.manifest, key, value)
            self.write_manifest()

    def stage(self, name: str) -> StageState:
        if name not in STAGES:
            raise ValueError(f"unknown stage {name!r}")
        return self.manifest.stages[name]

    def set_stage(self, name: str, status: Status, detail: str = "", **extra: Any) -> None:
        with self._lock:
            state = self.stage(name)
            state.status = status
            state.detail = detail
            if status == "running":
                state.started_at = utc_now()
                state.finished_at = None
                state.error = None
                state.pid = os.getpid()
                state.progress = 0.0
            else:
                state.finished_at = utc_now() if status != "pending" else None
                state.pid = None
            if status == "completed":
                state.progress = 1.0
            if status == "pending":
                state.fingerprint = None
                state.progress = None
                state.error = None
                state.started_at = None
            for key, value in extra.items():
                setattr(state, key, value)
            self.write_manifest()

    def set_progress(self, name: str, fraction: float) -> None:
        with self._lock:
            self.stage(name).progress = round(max(0.0, min(1.0, fraction)), 4)
            self.write_manifest()

    def invalidate_after(self, name: str) -> list[str]:
        """Mark every stage after ``name`` pending; returns those that had been completed."""
        reset = []
        with self._lock:
            for later in STAGES[STAGES.index(name) + 1 :]:
                state = self.stage(later)
                if state.status != "pending":
                    reset.append(later)
                self.set_stage(later, "pending")
        return reset

    def record_dropped(self, units: list[DroppedUnit], stage: str) -> None:
        with self._lock:
            kept = [u for u in self.manifest.dropped if u.stage != stage]
            self.manifest.dropped = kept + list(units)
            self.write_manifest()

    # --- files --------------------------------------------------------------------------------

    def path(self, rel: str) -> Path:
        return self.root / rel

    def write_json(self, rel: str, payload: Any) -> Path:
        path = self.root / rel
        write_json(path, payload)
        return path

    def read_json(self, rel: str) -> Any:
        return read_json(self.root / rel)

    def products(self) -> ProductList | None:
        """The product list stored in the job, or None."""
        path = self.path(PRODUCTS_FILE)
        if not path.is_file():
            return None
        try:
            return ProductList.model_validate_json(path.read_bytes())
        except (OSError, ValueError) as exc:
            raise InputError(
                f"the job's {PRODUCTS_FILE} is damaged ({type(exc).__name__})",
                hint="give the product list again with --products",
            ) from None

    def store_products(self, products: ProductList) -> bool:
        """Keep ``products`` as the job's list; later commands use it until another replaces
        it. Returns True when the list's content changed (its digest is in the
        ``semantic_discover`` fingerprint, so discovery and later stages rerun)."""
        try:
            current = self.products()
        except InputError:
            current = None  # a damaged copy is simply replaced
        digest = products.digest()
        changed = current is None or current.digest() != digest
        if not changed and current is not None and current.source == products.source:
            return False
        with self._lock:
            self.write_json(PRODUCTS_FILE, products)
            self.update(
                products=ProductListInfo(
                    count=len(products.products), source=products.source, digest=digest
                )
            )
        verb = "replaced" if changed and current is not None else "stored"
        self.log(
            f"product list {verb}: {len(products.products)} products from {products.source} "
            f"(digest {digest[:12]})"
        )
        return changed

    def clear_dirs(self, *rels: str) -> None:
        for rel in rels:
            target = self.root / rel
            if target.is_dir():
                # Rename first so a crash mid-delete never leaves a half-empty stage folder.
                trash = self.root / f".trash-{rel.replace('/', '_')}-{uuid.uuid4().hex[:6]}"
                target.rename(trash)
                shutil.rmtree(trash, ignore_errors=True)
            elif target.exists():
                target.unlink()

    def log(self, message: str, level: str = "info") -> None:
        from clipora_core.progress import job_logger

        getattr(job_logger(self), level)(message)

    @contextlib.contextmanager
    def locked(self) -> Iterator[JobWorkspace]:
        self.acquire()
        try:
            yield self
        finally:
            self.release()


def stage_failed(job: JobWorkspace, name: str, exc: BaseException) -> None:
    reason = exc.one_line() if hasattr(exc, "one_line") else f"{type(exc).__name__}: {exc}"
    if isinstance(exc, KeyboardInterrupt):
        job.set_stage(name, "interrupted", "interrupted by the user", error="interrupted")
    else:
        job.set_stage(name, "failed", reason, error=reason)


__all__ = ["JobWorkspace", "JobManifest", "StageState", "STAGES", "StageError", "fingerprint"]
