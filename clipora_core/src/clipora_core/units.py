"""Running one work unit on a worker: what every executor calls, wherever it runs.

A unit is JSON in, JSON out (``run_unit(unit_json) -> result_json``), so an executor needs to
ship nothing but text and this module's name: a process on this machine
(``python -m clipora_core.units``) or a Ray task. The worker loads the config itself (the unit's
config file and ``--set`` values on top of the job's remembered ones) and opens the job by path.

A unit that runs and fails (a bad recording, a stage error) returns ``ok: false`` with the
one-line reason, and its job records the failed stage as ``clipora run`` would; only a worker
that dies leaves the unit without a result, which the executor retries.
"""

from __future__ import annotations

import os
import resource
import socket
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from clipora_core.contracts import EditPlanSegment, UnitResult, WorkUnit
from clipora_core.errors import CliporaError, InputError


def _cpu_seconds() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run_unit(unit_json: str, worker: str = "") -> str:
    """Run the unit described by ``unit_json``; the result as JSON (never raises for the
    unit's own failure). ``worker`` names where it runs for reports (default: the host name;
    an executor can be more precise, e.g. a Ray node)."""
    unit = WorkUnit.model_validate_json(unit_json)
    worker = worker or socket.gethostname()
    wall0, cpu0 = time.monotonic(), _cpu_seconds()
    ok, error, detail = True, "", {}
    try:
        if unit.kind == "recording":
            detail = _recording(unit)
        elif unit.kind == "asr_span":
            detail = _asr_span(unit)
        else:
            detail = _render_clip(unit, worker)
    except CliporaError as exc:
        ok, error = False, exc.one_line()
    except Exception as exc:  # noqa: BLE001 - the unit's failure is a result, not a crash
        ok, error = False, f"{type(exc).__name__}: {exc}"
        detail = {"traceback": traceback.format_exc()[-4000:]}
    result = UnitResult(
        unit_id=unit.id,
        ok=ok,
        error=error,
        detail=detail,
        wall_seconds=round(time.monotonic() - wall0, 3),
        cpu_seconds=round(_cpu_seconds() - cpu0, 3),
        host=worker,
    )
    return result.model_dump_json()


def _engine(unit: WorkUnit) -> Any:
    """The unit's job (opened by path, not locked) and an engine on it, with the config loaded
    here: the unit's file and ``--set`` values on top of the job's remembered ones."""
    from clipora_core.config import load_config
    from clipora_core.engine import Engine
    from clipora_core.plugins import get_host
    from clipora_core.progress import Terminal, set_terminal
    from clipora_core.workspace import JobWorkspace

    root = Path(unit.job_dir)
    if not (root / "manifest.json").is_file():
        raise InputError(
            f"job folder {root} is not visible on {socket.gethostname()}",
            hint="put the workdir on storage every worker mounts at the same path",
        )
    job = JobWorkspace.open(root)
    # Workers print nothing: the driver shows progress, the job log keeps the details.
    set_terminal(Terminal(quiet=True))
    loaded = load_config(
        Path(unit.config_file) if unit.config_file else None,
        cli_set=unit.config_sets,
        job_set=job.manifest.config_sets,
        sections=get_host().config_sections(),
    )
    return Engine(job=job, config=loaded, host=get_host())


def _recording(unit: WorkUnit) -> dict[str, Any]:
    from clipora_core.progress import close_job_logger

    engine = _engine(unit)
    job = engine.workspace
    job.acquire()
    executor = None
    try:
        if unit.inner_executor:
            executor = engine.instance_executor(unit.inner_executor)
            engine.executor = executor
            engine.unit_sets = list(unit.config_sets)
            executor.run_waiting(lambda: engine.run_through(unit.last_stage))
        else:
            engine.run_through(unit.last_stage)
        if unit.thumbnails and unit.last_stage == "render":
            from clipora_core.thumbnails import clip_thumbnails

            clip_thumbnails(job, engine.runtime.media)
    finally:
        if executor is not None:
            executor.close()
        close_job_logger(job)
        job.release()
    return {"job_dir": str(job.root), "ran": engine.ran, "reused": engine.reused}


def _render_clip(unit: WorkUnit, worker: str) -> dict[str, Any]:
    """One clip of a job whose recording unit holds the job lock elsewhere: this writes only
    the clip's own files and record, never the manifest."""
    from clipora_core.progress import StageProgress, close_job_logger
    from clipora_core.rendering import ClipRenderer

    if unit.segment is None:
        raise InputError(f"render unit {unit.id} names no segment")
    engine = _engine(unit)
    job = engine.workspace
    try:
        clips = ClipRenderer.prepare(engine.context("render"), sweep=False)
        try:
            seg = EditPlanSegment.model_validate(unit.segment)
            art = clips.render(seg, StageProgress(job, "render"), metadata={"rendered_on": worker})
        finally:
            clips.close()
    finally:
        close_job_logger(job)
    return {"artifact": art.model_dump(mode="json")}


def _asr_span(unit: WorkUnit) -> dict[str, Any]:
    """One span of a long recording's speech (the recording's unit holds the job lock and
    joins the spans)."""
    from clipora_core.asr_spans import run_span
    from clipora_core.progress import close_job_logger

    engine = _engine(unit)
    try:
        return run_span(unit, engine.workspace, engine)
    finally:
        close_job_logger(engine.workspace)


def main(argv: list[str] | None = None) -> int:
    """``python -m clipora_core.units RESULT_FILE``: the unit's JSON on stdin, its result
    written to RESULT_FILE (atomically: a worker killed mid-write leaves none)."""
    import signal

    from clipora_core.fileio import atomic_write_text

    def stop(signum: int, frame: Any) -> None:
        # Stopped (the batch shut down, or its process died): unwind like Ctrl-C so the
        # running stage is marked interrupted and a rerun continues it.
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m clipora_core.units RESULT_FILE < unit.json", file=sys.stderr)
        return 2
    result = run_unit(sys.stdin.read())
    atomic_write_text(Path(args[0]), result)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
