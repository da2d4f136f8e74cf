"""The local executor: each unit in its own ``python -m clipora_core.units`` process.

A process per unit, not a pool: a unit that crashes or is killed takes nothing else with it,
its memory goes back to the system when it ends, and a dead worker is simply started again
(up to ``unit.retries`` times). Units start while their ``resources`` fit what is free (CPUs
and memory); one always runs, however large, so a big unit on a small machine still finishes.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from clipora_core.api import Executor, Resources, UnitResult, WorkerLost, WorkUnit


def available_memory_mb() -> int:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 4096


def _die_with_parent() -> None:
    """Linux: the unit's process gets SIGTERM when the batch's process dies (even by SIGKILL),
    so no orphan keeps a job locked; a rerun then continues the job."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def describe_death(returncode: int, stderr: str) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        why = f"killed by {name}"
        if -returncode == signal.SIGKILL:
            why += " (out of memory, or stopped by someone)"
        return why
    last = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    return f"exit {returncode}" + (f": {last[-1].strip()[:300]}" if last else "")


class LocalExecutor(Executor):
    remote = False

    def __init__(self, options: Any, runtime: Any = None) -> None:
        self.total_cpus = float(getattr(options, "cpus", 0) or os.cpu_count() or 1)
        self.total_memory = int(getattr(options, "memory_mb", 0) or available_memory_mb())
        self._free_cpus = self.total_cpus
        self._free_memory = self.total_memory
        self._running = 0
        self._cond = threading.Condition()
        self._procs: set[subprocess.Popen[bytes]] = set()
        self._closed = False

    def cpus(self) -> float:
        return self.total_cpus

    def describe(self) -> str:
        return f"local: this machine, {self.total_cpus:g} CPUs, {self.total_memory} MB"

    def submit(self, unit: WorkUnit) -> Future[UnitResult]:
        fut: Future[UnitResult] = Future()
        threading.Thread(target=self._run, args=(unit, fut), daemon=True).start()
        return fut

    def _fits(self, need: Resources) -> bool:
        if self._running == 0:
            return True
        return need.cpus <= self._free_cpus + 1e-9 and need.memory_mb <= self._free_memory

    def _run(self, unit: WorkUnit, fut: Future[UnitResult]) -> None:
        if not fut.set_running_or_notify_cancel():
            return
        need = unit.resources
        with self._cond:
            while not self._closed and not self._fits(need):
                self._cond.wait()
            self._free_cpus -= need.cpus
            self._free_memory -= need.memory_mb
            self._running += 1
        try:
            fut.set_result(self._attempts(unit))
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits on the future
            fut.set_exception(exc)
        finally:
            with self._cond:
                self._free_cpus += need.cpus
                self._free_memory += need.memory_mb
                self._running -= 1
                self._cond.notify_all()

    def _attempts(self, unit: WorkUnit) -> UnitResult:
        payload = unit.model_dump_json().encode("utf-8")
        deaths: list[str] = []
        for attempt in range(1, unit.retries + 2):
            if self._closed:
                raise WorkerLost(f"unit {unit.id} was stopped: the batch is shutting down")
            with tempfile.TemporaryDirectory(prefix="clipora-unit-") as tmp:
                result_file = Path(tmp) / "result.json"
                proc = subprocess.Popen(
                    [sys.executable, "-m", "clipora_core.units", str(result_file)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
                )
                with self._cond:
                    self._procs.add(proc)
                try:
                    _, err = proc.communicate(payload)
                finally:
                    with self._cond:
                        self._procs.discard(proc)
                if result_file.is_file():
                    result = UnitResult.model_validate_json(result_file.read_text("utf-8"))
                    result.attempts = attempt
                    return result
                deaths.append(describe_death(proc.returncode, err.decode("utf-8", "replace")))
        raise WorkerLost(
            f"unit {unit.id}: its worker died {len(deaths)} times, last {deaths[-1]}",
            hint="check memory and the job log; rerun the batch to try again",
        )

    def close(self) -> None:
        with self._cond:
            self._closed = True
            procs = list(self._procs)
            self._cond.notify_all()
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
