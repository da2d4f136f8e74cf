"""The web UI's bounded worker pool: one ``clipora run <job>`` process per job.

A job runs in its own process (its own session, output to ``<job>/web/run.log``), so it survives
browser disconnects, can be stopped (SIGINT to its process group, then SIGTERM, then SIGKILL),
and cannot take the server down. Waiting jobs are recorded in ``web/submission.json``
(``state: queued``), so a restarted server picks them up again.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from clipora_core.api import PRODUCTS_FILE, CliporaError, utc_now

from clipora_web.jobstate import last_error_line, read_manifest
from clipora_web.submission import (
    RUN_LOG,
    RunRecord,
    WebSubmission,
    override_args,
    read_submission,
    write_submission,
)


@dataclass
class _Active:
    job_id: str
    proc: subprocess.Popen[bytes] | None = None  # None while the worker is starting it
    stop_requested: bool = False
    stop_at: float | None = None


@dataclass
class JobRunner:
    workdir: Path
    config_path: Path
    workers: int = 1
    stop_grace_seconds: float = 10.0
    python: str = field(default_factory=lambda: sys.executable)
    _queue: deque[str] = field(default_factory=deque)
    _active: dict[str, _Active] = field(default_factory=dict)
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _threads: list[threading.Thread] = field(default_factory=list)
    _closed: bool = False

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        self._closed = False
        for i in range(max(1, self.workers)):
            t = threading.Thread(target=self._work, name=f"clipora-web-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        self._requeue_waiting()

    def shutdown(self, timeout: float | None = None) -> None:
        """Stop taking jobs and interrupt the running ones (they stay resumable)."""
        with self._cond:
            self._closed = True
            self._queue.clear()  # still ``queued`` on disk: the next server start runs them
            active = list(self._active.values())
            self._cond.notify_all()
        for a in active:
            self._signal(a, signal.SIGINT)
        deadline = time.monotonic() + (timeout if timeout is not None else self.stop_grace_seconds)
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        for a in active:
            if a.proc is not None and a.proc.poll() is None:
                self._signal(a, signal.SIGKILL)
        self._threads.clear()

    def _requeue_waiting(self) -> None:
        from clipora_web.jobstate import list_job_roots

        waiting = []
        for root in list_job_roots(self.workdir):
            sub = read_submission(root)
            if sub is not None and sub.state in ("queued", "running"):
                run = sub.last_run
                if sub.state == "running" and run is not None and run.finished_at is None:
                    # The previous server died while this job ran: record that, do not rerun it.
                    run.finished_at = utc_now()
                    run.error = run.error or "the web server stopped while this job was running"
                    sub.state = "idle"
                    write_submission(root, sub)
                    continue
                waiting.append((run.queued_at if run else sub.created_at, sub.job_id))
        with self._cond:
            for _, job_id in sorted(waiting):
                if job_id not in self._queue:
                    self._queue.append(job_id)
            self._cond.notify_all()

    # --- queries ------------------------------------------------------------------------------

    def state(self, job_id: str) -> str | None:
        with self._cond:
            a = self._active.get(job_id)
            if a is not None:
                return "stopping" if a.stop_requested else "running"
            if job_id in self._queue:
                return "queued"
        return None

    def queue_position(self, job_id: str) -> int | None:
        with self._cond:
            try:
                return list(self._queue).index(job_id) + 1
            except ValueError:
                return None

    # --- commands -----------------------------------------------------------------------------

    def enqueue(self, job_id: str, action: str = "run", force: str | None = None) -> None:
        root = self.workdir / job_id
        with self._cond:
            if job_id in self._queue or job_id in self._active:
                raise CliporaError(f"job {job_id} is already queued or running")
            sub = read_submission(root) or WebSubmission(job_id=job_id)
            sub.state = "queued"
            sub.runs.append(RunRecord(action=action, force=force))  # type: ignore[arg-type]
            write_submission(root, sub)
            self._queue.append(job_id)
            self._cond.notify()

    def stop(self, job_id: str) -> bool:
        """Stop a queued or running job. False when it is neither."""
        root = self.workdir / job_id
        with self._cond:
            if job_id in self._queue:
                self._queue.remove(job_id)
                sub = read_submission(root)
                if sub is not None:
                    sub.state = "idle"
                    if sub.last_run is not None:
                        sub.last_run.stopped = True
                        sub.last_run.finished_at = utc_now()
                    write_submission(root, sub)
                return True
            a = self._active.get(job_id)
            if a is None:
                return False
            a.stop_requested = True
            a.stop_at = time.monotonic()
        self._signal(a, signal.SIGINT)
        return True

    # --- the workers --------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                job_id = self._queue.popleft()
                # Claimed at once, so the job never looks idle between queue and process.
                active = _Active(job_id)
                self._active[job_id] = active
            try:
                self._run(job_id, active)
            except Exception as exc:  # noqa: BLE001 - a worker must survive any one job
                self._record_failure(job_id, f"{type(exc).__name__}: {exc}")
            finally:
                with self._cond:
                    self._active.pop(job_id, None)

    def _command(self, root: Path, sub: WebSubmission, run: RunRecord) -> list[str]:
        command = "render" if run.action == "render" else "run"
        argv = [self.python, "-m", "clipora_web.job_process", command, str(root), "--quiet"]
        argv += ["--set", f"paths.workdir={self.workdir}"]
        argv += override_args(sub.overrides)
        if command == "render":
            return argv
        if sub.products and (root / PRODUCTS_FILE).is_file():
            argv += ["--products", str(root / PRODUCTS_FILE)]
        if run.force:
            argv += ["--force", run.force]
        return argv

    def _run(self, job_id: str, active: _Active) -> None:
        root = self.workdir / job_id
        sub = read_submission(root)
        if sub is None or read_manifest(root) is None:
            return
        run = sub.last_run or RunRecord()
        if not sub.runs:
            sub.runs.append(run)
        argv = self._command(root, sub, run)
        env = dict(os.environ, CLIPORA_CONFIG=str(self.config_path), PYTHONUNBUFFERED="1")
        log_path = root / RUN_LOG
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as log:
            log.write(f"== run {utc_now()} {' '.join(argv[3:])}\n".encode())
            log.flush()
            with self._cond:
                if self._closed:
                    return
                if active.stop_requested:  # stopped while starting: never launch it
                    run.stopped = True
                    run.finished_at = utc_now()
                    sub.state = "idle"
                    write_submission(root, sub)
                    return
                proc = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    start_new_session=True,
                )
                active.proc = proc
            run.started_at = utc_now()
            run.pid = proc.pid
            sub.state = "running"
            write_submission(root, sub)
            self._wait(active)
        self._settle(root, proc.pid)
        sub = read_submission(root) or sub
        run = sub.last_run or run
        run.finished_at = utc_now()
        run.exit_code = proc.returncode
        run.stopped = active.stop_requested
        run.error = None if proc.returncode == 0 else last_error_line(log_path)
        if run.error is None and proc.returncode not in (0, None):
            if proc.returncode < 0:
                run.error = f"the job process was killed by signal {-proc.returncode}"
            elif proc.returncode == 130 or active.stop_requested:
                run.error = "stopped"
        # Closing leaves jobs that never got a worker ``queued`` on disk, not this one.
        sub.state = "idle"
        write_submission(root, sub)

    def _wait(self, a: _Active) -> None:
        assert a.proc is not None
        escalated = False
        while True:
            try:
                a.proc.wait(timeout=0.5)
                return
            except subprocess.TimeoutExpired:
                pass
            if a.stop_at is None:
                continue
            waited = time.monotonic() - a.stop_at
            if waited > self.stop_grace_seconds and not escalated:
                self._signal(a, signal.SIGTERM)
                escalated = True
            elif waited > self.stop_grace_seconds + 5:
                self._signal(a, signal.SIGKILL)

    @staticmethod
    def _signal(a: _Active, sig: int) -> None:
        if a.proc is None:
            return  # not launched yet: the worker sees stop_requested and skips it
        # The job runs in its own session: the group holds the CLI and its ffmpeg children.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(a.proc.pid, sig)

    @staticmethod
    def _settle(root: Path, pid: int) -> None:
        """A killed process can leave a stage marked running: taking the job lock (as any new
        run would) marks it interrupted, so the UI never shows a dead job as running."""
        manifest = read_manifest(root)
        if manifest is None or not any(s.status == "running" for s in manifest.stages.values()):
            return
        from clipora_core.api import JobWorkspace

        with contextlib.suppress(CliporaError, OSError):
            job = JobWorkspace.open(root)
            job.acquire()
            job.release()
            from clipora_core.api import close_job_logger

            close_job_logger(job)

    def _record_failure(self, job_id: str, message: str) -> None:
        root = self.workdir / job_id
        sub = read_submission(root)
        if sub is None:
            return
        sub.state = "idle"
        if sub.last_run is not None:
            sub.last_run.finished_at = utc_now()
            sub.last_run.exit_code = sub.last_run.exit_code or -1
            sub.last_run.error = f"the web server could not run the job: {message}"
        with contextlib.suppress(OSError):
            write_submission(root, sub)
