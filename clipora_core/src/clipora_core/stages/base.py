"""What a stage is, and what it gets when it runs.

A stage is an object with a name, the job folders it owns, the config that fingerprints it, the
capabilities it needs, and ``run(ctx)``. The engine (``clipora_core.engine``) decides whether it
runs (fingerprints), marks it running/completed/failed in the job, and hands it a
:class:`StageContext`: the job, the settings, progress, plugin lookup, and the job's probe, time
map and transcript, each read once and cached for the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from clipora_core.capabilities import Capability, Kind
from clipora_core.contracts import MediaProbe, ProductList, TimeMapEntry, Transcript
from clipora_core.errors import StageError
from clipora_core.progress import StageProgress
from clipora_core.timeline import to_effective_time
from clipora_core.workspace import JobWorkspace

if TYPE_CHECKING:
    from clipora_core.engine import Engine


class Stage(Protocol):
    """One step of the pipeline."""

    name: str
    # Job folders and files it writes: cleared when it reruns, never when it is reused.
    outputs: tuple[str, ...]
    # True when a rerun adds to its outputs (finished clips are kept and skipped) rather than
    # starting over; ``--force`` still clears them.
    reuses_outputs: bool
    # Config (dotted prefixes or fnmatch patterns) whose values change its output; the
    # capabilities it uses add their own ``config_keys``.
    config: tuple[str, ...]

    def capabilities(self, engine: Engine) -> list[Capability]:
        """The capabilities it will use with this config (raises if one is not installed)."""
        ...

    def run(self, ctx: StageContext) -> str:
        """Do the work; return a one-line detail for the manifest."""
        ...


@dataclass
class JobCache:
    """What several stages read from the job, read once per engine (reset when a stage that
    writes it reruns)."""

    time_map: list[TimeMapEntry] | None = None
    transcript: Transcript | None = None


@dataclass
class StageContext:
    engine: Engine
    job: JobWorkspace
    progress: StageProgress

    @property
    def settings(self) -> Any:
        return self.engine.settings

    def capability(self, kind: Kind, name: str, config_key: str) -> Capability:
        return self.engine.capability(kind, name, config_key)

    def instance(self, kind: Kind, name: str, config_key: str) -> Any:
        return self.engine.instance(kind, name, config_key)

    def probe(self) -> MediaProbe:
        return self.engine.probe()

    def media_probe(self) -> MediaProbe:
        return self.engine.media_probe()

    def time_map(self) -> list[TimeMapEntry]:
        return self.engine.time_map()

    def media_time_map(self) -> list[TimeMapEntry]:
        return self.engine.media_time_map()

    def transcript(self) -> Transcript:
        return self.engine.transcript()


def require_probe(job: JobWorkspace) -> MediaProbe:
    probe = job.manifest.probe
    if probe is None:
        raise StageError(
            "the inspect stage has not run", hint="run `clipora run` on the video first"
        )
    return probe


def products_on_effective_timeline(
    products: ProductList | None, time_map: list[TimeMapEntry]
) -> ProductList | None:
    """The seller's 讲解 markers are on the recording's clock; stages work on the cleaned one."""
    if products is None or not time_map:
        return products
    moved = []
    for p in products.products:
        if p.start_seconds is None or p.end_seconds is None:
            moved.append(p)
            continue
        start = to_effective_time(p.start_seconds, time_map)
        end = to_effective_time(p.end_seconds, time_map)
        moved.append(
            p.model_copy(update={"start_seconds": start, "end_seconds": max(end, start + 0.5)})
        )
    return products.model_copy(update={"products": moved})
