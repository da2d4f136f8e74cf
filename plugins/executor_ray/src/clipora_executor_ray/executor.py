"""The Ray executor: each unit is a Ray task that runs ``clipora_core.units.run_unit``.

Ray schedules tasks by the resources a unit declares (``num_cpus``, ``memory``, ``num_gpus``)
over every node of the cluster, and runs a task again on another worker when the one running
it dies (``max_retries`` = ``unit.retries``); a unit's own failure is a result, never retried.
Work travels by path: the workdir, the recordings and the config file must be on storage every
node mounts at the same place, which ``check_shared`` verifies on each node before a batch.

A unit that itself submits units (a recording's clip renders) must lend its CPUs back to Ray
while it waits, or nested units starve each other: Ray does that only for ``ray.get`` /
``ray.wait`` on a task's main thread (measured: from another thread the same wait deadlocks a
full node). So ``run_waiting`` runs the unit's work on a thread and keeps the main thread
waiting on every open ObjectRef for it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from clipora_core.api import Executor, InputError, UnitResult, WorkerLost, WorkUnit


def _run_unit(unit_json: str) -> str:
    import ray
    from clipora_core.api import run_unit

    # Nodes on one machine share a host name: the node id tells them apart in reports.
    node = ray.get_runtime_context().get_node_id()[:8]
    return run_unit(unit_json, worker=f"{socket.gethostname()}/{node}")


def _missing(paths: list[str]) -> tuple[str, list[str]]:
    return socket.gethostname(), [p for p in paths if not os.path.exists(p)]


class RayFuture(Future):  # type: ignore[type-arg]
    """A Future over an ObjectRef whose waiting goes through ``ray.get`` / ``ray.wait``."""

    def __init__(self, ray: Any, ref: Any, unit: WorkUnit, waiter: RayExecutor) -> None:
        super().__init__()
        self._ray, self._ref, self._unit, self._waiter = ray, ref, unit, waiter
        self.set_running_or_notify_cancel()

    def _served(self) -> bool:
        """True when the waiter thread settles this future (we only block on it)."""
        serving = self._waiter._serving
        return serving is not None and serving != threading.get_ident()

    def _settle(self, timeout: float | None) -> None:
        if super().done():
            return
        from ray.exceptions import GetTimeoutError, RayError

        try:
            value = self._ray.get(self._ref, timeout=timeout)
        except GetTimeoutError:
            raise TimeoutError from None
        except RayError as exc:
            first = " ".join(str(exc).split())[:300]
            self.set_exception(
                WorkerLost(
                    f"unit {self._unit.id}: its worker died {self._unit.retries + 1} times "
                    f"({type(exc).__name__}: {first})",
                    hint="check the nodes' memory and logs; rerun the batch to try again",
                )
            )
            return
        result = UnitResult.model_validate_json(value)
        self.set_result(result)

    def done(self) -> bool:
        if not super().done() and not self._served():
            ready, _ = self._ray.wait([self._ref], timeout=0)
            if ready:
                self._settle(None)
        return super().done()

    def result(self, timeout: float | None = None) -> UnitResult:
        if self._served():
            served: UnitResult = super().result(timeout)
            return served
        self._settle(timeout)
        value: UnitResult = super().result(0)
        return value

    def exception(self, timeout: float | None = None) -> BaseException | None:
        if self._served():
            return super().exception(timeout)
        self._settle(timeout)
        return super().exception(0)


class RayExecutor(Executor):
    remote = True

    def __init__(self, options: Any, runtime: Any = None) -> None:
        import ray

        self.ray = ray
        self.address = getattr(options, "address", None)
        self.started = False
        if not ray.is_initialized():
            # Workers on other machines get the driver's CLIPORA_* settings (API keys included).
            env = {k: v for k, v in os.environ.items() if k.startswith("CLIPORA_")}
            kwargs: dict[str, Any] = {
                "logging_level": logging.ERROR,
                "log_to_driver": False,
                "include_dashboard": False,
                "runtime_env": {"env_vars": env} if env else None,
            }
            try:
                if self.address:
                    ray.init(address=self.address, **kwargs)
                else:
                    # Ray runs its workers at nice 15 so its daemons stay responsive on busy
                    # clusters; a Ray started here for one batch is the batch's alone, so its
                    # workers get the priority the local executor's processes have (measured:
                    # at nice 15 beside other work, Whisper ran 15x slower).
                    os.environ.setdefault("RAY_worker_niceness", "0")
                    ray.init(num_cpus=getattr(options, "num_cpus", None), **kwargs)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                where = self.address or "this machine"
                raise InputError(
                    f"cannot start or join Ray at {where}: {' '.join(str(exc).split())[:300]}",
                    hint="check the address (`ray status` on the head shows it) and that the "
                    "same Ray version runs there",
                ) from None
            self.started = True
        self._task = ray.remote(_run_unit)
        # The thread that waits for everyone while run_waiting runs (None otherwise).
        self._serving: int | None = None
        self._open: set[RayFuture] = set()
        self._lock = threading.Lock()

    def cpus(self) -> float:
        return float(self.ray.cluster_resources().get("CPU", 1.0))

    def _nodes(self) -> list[dict[str, Any]]:
        return [n for n in self.ray.nodes() if n.get("Alive")]

    def describe(self) -> str:
        nodes = self._nodes()
        where = f"cluster {self.address}" if self.address else "started on this machine"
        return f"ray ({where}): {len(nodes)} node{'s' if len(nodes) != 1 else ''}, {self.cpus():g} CPUs"

    def submit(self, unit: WorkUnit) -> Future[UnitResult]:
        res = unit.resources
        options: dict[str, Any] = {
            "num_cpus": res.cpus,
            "memory": res.memory_mb * 1024 * 1024,
            "max_retries": unit.retries,
            "retry_exceptions": False,
            "name": f"clipora {unit.kind} {unit.id}",
        }
        if res.gpus:
            options["num_gpus"] = res.gpus
        ref = self._task.options(**options).remote(unit.model_dump_json())
        fut = RayFuture(self.ray, ref, unit, self)
        with self._lock:
            self._open.add(fut)
        return fut

    def run_waiting(self, work: Callable[[], Any]) -> Any:
        box: dict[str, Any] = {}

        def body() -> None:
            try:
                box["value"] = work()
            except BaseException as exc:  # noqa: BLE001 - re-raised on the calling thread
                box["error"] = exc

        self._serving = threading.get_ident()
        thread = threading.Thread(target=body, name="clipora-unit-work")
        thread.start()
        try:
            while thread.is_alive():
                with self._lock:
                    self._open = {f for f in self._open if not Future.done(f)}
                    waiting = {f._ref: f for f in self._open}
                if not waiting:
                    thread.join(0.05)
                    continue
                ready, _ = self.ray.wait(list(waiting), num_returns=1, timeout=0.5)
                for ref in ready:
                    waiting[ref]._settle(None)
        finally:
            thread.join()
            self._serving = None
        if "error" in box:
            raise box["error"]
        return box.get("value")

    def check_shared(self, paths: Sequence[Path]) -> None:
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        wanted = [str(Path(p).resolve()) for p in paths]
        probe = self.ray.remote(_missing)
        refs = [
            probe.options(
                num_cpus=0,
                scheduling_strategy=NodeAffinitySchedulingStrategy(node["NodeID"], soft=False),
            ).remote(wanted)
            for node in self._nodes()
        ]
        for host, missing in self.ray.get(refs, timeout=120):
            if missing:
                raise InputError(
                    f"{missing[0]} is not visible on Ray node {host}",
                    hint="put the workdir, the recordings and the config file on storage every "
                    "node mounts at the same path (NFS, a shared disk), then rerun",
                )

    def close(self) -> None:
        if self.started and self.ray.is_initialized():
            self.ray.shutdown()
            self.started = False
