"""What a plugin registers (capabilities, config sections) and the interfaces their factories
return. Request objects are plain dataclasses: they live in memory only."""

from __future__ import annotations

import importlib
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import Future

    from pydantic import BaseModel

    from clipora_core.contracts import (
        CleaningSummary,
        DiscoveredInterval,
        DroppedUnit,
        EditPlanSegment,
        MediaProbe,
        PresenceReport,
        PresenceSample,
        ProductList,
        RemovalInterval,
        SemanticItemInterval,
        SubjectSample,
        TimeMapEntry,
        TimeWindow,
        Transcript,
        UnitResult,
        WorkUnit,
    )
    from clipora_core.progress import StageProgress
    from clipora_core.settings import AnalysisSettings
    from clipora_core.workspace import JobWorkspace


class Kind(StrEnum):
    ASR = "asr"
    CLEANER = "cleaner"
    VIDEO_TYPE = "video_type"
    SUBTITLE_WRITER = "subtitle_writer"
    RENDERER = "renderer"
    PROBER = "prober"
    PRESENCE_DETECTOR = "presence_detector"
    EXECUTOR = "executor"
    EXPORTER = "exporter"


HOOK_FOR_KIND = {
    Kind.ASR: "register_asr_backends",
    Kind.CLEANER: "register_cleaners",
    Kind.VIDEO_TYPE: "register_video_types",
    Kind.SUBTITLE_WRITER: "register_subtitle_writers",
    Kind.RENDERER: "register_renderers",
    Kind.PROBER: "register_probers",
    Kind.PRESENCE_DETECTOR: "register_presence_detectors",
    Kind.EXECUTOR: "register_executors",
    Kind.EXPORTER: "register_exporters",
}


_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_PATH_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


@dataclass(frozen=True)
class Capability:
    """One registered thing, with where it applies.

    A plain dataclass, not a pydantic model: registering capabilities happens on every CLI
    start (``--help``, ``plugins list``), which must not pay for importing pydantic.
    """

    kind: Kind
    name: str
    description: str
    # 'module:attribute', imported only when the capability is used.
    factory: str
    languages: list[str] = field(default_factory=lambda: ["*"])
    formats: list[str] = field(default_factory=list)
    devices: list[str] = field(default_factory=lambda: ["cpu"])
    needs_network: bool = False
    needs_credentials: bool = False
    # Config paths whose values change this capability's output: part of stage fingerprints.
    config_keys: list[str] = field(default_factory=list)
    # The config section (a dotted path the same plugin registers) whose validated model the
    # factory receives as its options; None: the factory gets no options.
    options: str | None = None
    features: dict[str, Any] = field(default_factory=dict)
    # Filled in by the host.
    plugin: str = ""
    distribution: str = ""
    version: str = ""

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", Kind(self.kind))
        except ValueError:
            raise ValueError(f"unknown capability kind {self.kind!r}") from None
        if not isinstance(self.name, str) or not _NAME_RE.match(self.name):
            raise ValueError(f"capability name {self.name!r} must match {_NAME_RE.pattern}")
        if not isinstance(self.factory, str) or ":" not in self.factory:
            raise ValueError(f"capability {self.name!r}: factory must be 'module:attribute'")
        if self.options is not None and not _PATH_RE.match(str(self.options)):
            raise ValueError(
                f"capability {self.name!r}: options {self.options!r} is not a config path"
            )
        for name in ("languages", "formats", "devices", "config_keys"):
            object.__setattr__(self, name, list(getattr(self, name)))

    def load(self) -> Callable[..., Any]:
        module_name, _, attr = self.factory.partition(":")
        obj: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            obj = getattr(obj, part)
        if not callable(obj):
            raise TypeError(f"capability {self.name!r}: factory {self.factory!r} is not callable")
        factory: Callable[..., Any] = obj
        return factory

    def with_owner(self, plugin: str, distribution: str, version: str) -> Capability:
        return replace(self, plugin=plugin, distribution=distribution, version=version)

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        return data


@dataclass(frozen=True)
class InstallHint:
    """Which distribution provides a capability that may not be installed here (an opt-in
    plugin a user's config can name), for the "not installed" message."""

    kind: Kind
    name: str
    distribution: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", Kind(self.kind))


@dataclass(frozen=True)
class ConfigDefault:
    """A plugin's default for a kernel setting that names a capability (``asr.mode``,
    ``render.renderer``, ...). The kernel ships these empty: the installed plugins fill them."""

    path: str
    value: Any
    plugin: str = ""
    distribution: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.path, str) or not _PATH_RE.match(self.path) or "." not in self.path:
            raise ValueError(f"config default path {self.path!r} must be a dotted section.key")

    def with_owner(self, plugin: str, distribution: str) -> ConfigDefault:
        return replace(self, plugin=plugin, distribution=distribution)


@dataclass(frozen=True)
class ConfigSection:
    """A plugin's config section: a dotted path and the pydantic model that validates it.

    ``model`` may be the class or a lazy ``'module:Class'`` reference; the lazy form keeps
    pydantic out of commands that never load config.
    """

    path: str
    model: Any
    # Keys this plugin used to read elsewhere, old dotted path -> new one: a config that still
    # sets an old key is refused with a message naming the new one.
    moved: dict[str, str] = field(default_factory=dict)
    # Keys this plugin no longer reads, dotted path -> why: a config that still sets one is
    # refused with that reason (rather than a guess at a similar key).
    retired: dict[str, str] = field(default_factory=dict)
    plugin: str = ""
    distribution: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.path, str) or not _PATH_RE.match(self.path):
            raise ValueError(f"config section path {self.path!r} must be dotted lower_case names")
        object.__setattr__(self, "moved", dict(self.moved))
        object.__setattr__(self, "retired", dict(self.retired))

    def resolve(self) -> type[BaseModel]:
        from pydantic import BaseModel  # resolved only when config loads, which needs pydantic

        model = self.model
        if isinstance(model, str):
            module_name, _, attr = model.partition(":")
            model = getattr(importlib.import_module(module_name), attr)
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise TypeError(f"config section {self.path!r}: {self.model!r} is not a pydantic model")
        return model

    def with_owner(self, plugin: str, distribution: str) -> ConfigSection:
        return replace(self, plugin=plugin, distribution=distribution)


# --- requests and results passed to capability implementations -------------------------------


@dataclass
class ASRRequest:
    media_path: Path
    duration_seconds: float
    scratch_dir: Path
    progress: StageProgress
    language: str | None = None
    hotwords: list[str] = field(default_factory=list)
    source_path: Path | None = None  # the original recording (for sidecar transcripts)
    # original<->cleaned mapping when cleaning removed spans (imported subtitles use original times)
    time_map: list[TimeMapEntry] = field(default_factory=list)


class ASRBackend(ABC):
    """What an ``asr`` factory returns."""

    @abstractmethod
    def transcribe(self, request: ASRRequest) -> Transcript: ...

    def close(self) -> None:  # noqa: B027 - optional: most backends hold nothing
        """Called once transcription ends (also on failure): free a model before the later
        stages run."""


@dataclass
class CleanRequest:
    """What a cleaner looks at: always the recording itself (cleaners never make a copy)."""

    source_path: Path
    probe: MediaProbe
    out_dir: Path  # the cleaner's own folder in the job, for any report it writes
    progress: StageProgress


@dataclass
class CleanResult:
    """What to drop from the recording, on its clock. The kernel intersects the keeps of all
    cleaners and builds the time map; later stages read the recording through it."""

    removed_intervals: list[RemovalInterval]
    keep_intervals: list[TimeWindow]
    summary: CleaningSummary


class Cleaner(ABC):
    """What a ``cleaner`` factory returns."""

    @abstractmethod
    def clean(self, request: CleanRequest) -> CleanResult: ...


class Prober(ABC):
    """What a ``prober`` factory returns."""

    @abstractmethod
    def probe(self, path: Path) -> MediaProbe: ...

    def prepare(self, path: Path, probe: MediaProbe, out_dir: Path) -> Path | None:
        """A copy in ``out_dir`` that later stages can seek in (e.g. a remux), or None when
        ``path`` is fine as it is."""
        return None


@dataclass
class AnalyzerContext:
    job: JobWorkspace
    # The kernel's own ``analysis`` section (video_type, pose_presence, ...); the analyzer's
    # options come to its factory.
    analysis: AnalysisSettings
    progress: StageProgress
    transcript: Transcript
    probe: MediaProbe
    dropped: list[DroppedUnit] = field(default_factory=list)
    plugins: Any = None  # the PluginHost, for analyzers that use other capabilities
    # Host presence per semantic item id, when analysis.pose_presence.enabled.
    presence: dict[str, PresenceReport] = field(default_factory=dict)
    # The seller's product list stored in the job (from --products or config), if any. Its
    # explanation markers are on the effective timeline here (the file has them on the
    # original recording's).
    products: ProductList | None = None
    # The file to read the recording's audio or frames from, and how the cleaned timeline maps
    # onto it (empty: the file is on the timeline's clock). See clipora_core.timeline.
    media_path: Path | None = None
    media_time_map: list[TimeMapEntry] = field(default_factory=list)


@dataclass
class DiscoveryResult:
    intervals: list[DiscoveredInterval]
    debug: dict[str, Any] = field(default_factory=dict)  # written to semantic/window_plans.json
    # The transcript later stages should use, when the analyzer corrected it (product names
    # written as the seller's list has them); the ASR's own stays in semantic/transcript.raw.json.
    transcript: Transcript | None = None


@dataclass
class ClusterResult:
    items: list[SemanticItemInterval]
    debug: dict[str, Any] = field(default_factory=dict)  # written to semantic/cluster_plan.json
    # Names from the seller's list that no item is about (reported in the job summary).
    products_not_pitched: list[str] = field(default_factory=list)


class VideoTypeAnalyzer(ABC):
    """What a ``video_type`` factory returns."""

    @abstractmethod
    def discover(self, ctx: AnalyzerContext) -> DiscoveryResult: ...

    @abstractmethod
    def cluster(
        self, ctx: AnalyzerContext, intervals: list[DiscoveredInterval]
    ) -> ClusterResult: ...

    @abstractmethod
    def analyze_item(
        self, ctx: AnalyzerContext, item: SemanticItemInterval
    ) -> list[EditPlanSegment]: ...


@dataclass
class SubtitleStyle:
    position_preset: str = "bottom"
    font_theme: str = "default"
    font_family: str = "Noto Sans SC"
    fonts_dir: Path | None = None
    font_scale_multiplier: float = 1.0


@dataclass
class SubtitleRequest:
    transcript: Transcript
    windows: list[TimeWindow]  # in play order, effective timeline
    playback_speed: float
    width: int
    height: int
    out_path: Path  # without suffix decisions: the writer picks the extension
    style: SubtitleStyle
    language: str | None = None
    # The clip's product name and price (from the plan), for writers that draw a title banner.
    title: str = ""
    price: float | None = None


class SubtitleWriter(ABC):
    """What a ``subtitle_writer`` factory returns."""

    @abstractmethod
    def write(self, request: SubtitleRequest) -> Path | None: ...


@dataclass
class RenderRequest:
    source_path: Path
    probe: MediaProbe
    windows: list[TimeWindow]
    out_path: Path
    progress: StageProgress
    clip_id: str = ""
    burn_subtitles: Path | None = None  # an .ass file on the clip's timeline
    fonts_dir: Path | None = None
    playback_speed: float = 1.0  # render.playback_speed
    # Clips rendering at once (concurrency.render): a renderer sizes its own processes by it.
    parallel_renders: int = 1
    # With burn_subtitles: also write the clip without them here, from the same decode, when
    # the renderer can (RenderOutput.plain_path says whether it did).
    plain_out_path: Path | None = None
    # One per window, when the renderer asked to frame subjects (Renderer.subject_crop).
    framing: list[WindowFraming] | None = None


@dataclass
class WindowFraming:
    """How one window of a clip is framed when the renderer crops a part of the source.

    ``crop``: a crop of the renderer's ``subject_crop`` size whose top-left corner follows
    ``keys`` -- (seconds from the window's start, left, top) in source pixels, moving in a
    straight line between keys and holding after the last. ``fill``: the subjects do not fit
    in such a crop; the whole frame is shown over a blurred, enlarged copy of itself."""

    mode: str = "crop"  # crop | fill
    keys: list[tuple[float, float, float]] = field(default_factory=list)


@dataclass
class RenderOutput:
    path: Path
    duration_seconds: float
    metadata: dict[str, Any] = field(default_factory=dict)
    plain_path: Path | None = None  # the request's plain_out_path, when it was written too


class Renderer(ABC):
    """What a ``renderer`` factory returns."""

    @abstractmethod
    def render(self, request: RenderRequest) -> RenderOutput: ...

    def output_size(self, probe: MediaProbe) -> tuple[int, int]:
        """The clips' frame size (subtitles are laid out for it): the source's by default."""
        return probe.video_width or 1280, probe.video_height or 720

    def subject_crop(self, probe: MediaProbe) -> tuple[int, int] | None:
        """The size (source pixels) of the moving crop this renderer cuts out of the source
        to keep the subjects in frame, when it is set up to; the kernel then finds the subjects
        and sends a ``WindowFraming`` per window. None: the renderer frames clips itself."""
        return None


@dataclass
class PresenceRequest:
    source_path: Path
    windows: list[TimeWindow]
    sample_interval_seconds: float
    progress: StageProgress
    out_dir: Path | None = None


class PresenceDetector(ABC):
    """What a ``presence_detector`` factory returns."""

    @abstractmethod
    def detect(self, request: PresenceRequest) -> list[PresenceSample]: ...

    def locate(self, request: PresenceRequest) -> list[SubjectSample] | None:
        """Where the host, what the host holds up, or whatever stands out is, at the request's
        sample times (for framing a crop). None: this detector cannot tell."""
        return None

    def close(self) -> None:  # noqa: B027 - optional
        """Called once the analyze stage is done with it."""


class Executor(ABC):
    """What an ``executor`` factory returns: runs work units somewhere (processes on this
    machine, a cluster). A unit runs ``clipora_core.units.run_unit`` on a worker, with the
    unit's JSON; whatever the executor does around it (scheduling by ``unit.resources``,
    retrying a unit whose worker died up to ``unit.retries`` times) is its own business."""

    #: True when units may run on other machines: the kernel then also sends the clip renders
    #: of a recording through it, and checks that every worker sees the job folders.
    remote: bool = False

    @abstractmethod
    def submit(self, unit: WorkUnit) -> Future[UnitResult]:
        """Start ``unit``; the future gives its result, or raises when every attempt's
        worker died (the message says how)."""

    @abstractmethod
    def cpus(self) -> float:
        """CPUs the executor can use at once (all nodes), for sizing and reports."""

    def check_shared(self, paths: Sequence[Path]) -> None:  # noqa: B027 - local: nothing to check
        """Raise ``InputError`` naming the first path a worker cannot read (work travels by
        path on storage every worker mounts at the same place)."""

    def run_waiting(self, work: Callable[[], Any]) -> Any:
        """Run ``work``, which submits units to this executor and waits for them, inside a
        unit's worker; returns what it returns. An executor whose workers must do their
        waiting on the calling thread (to lend their CPUs back meanwhile) overrides this."""
        return work()

    def describe(self) -> str:
        """One line for the terminal and the report: where units run."""
        return type(self).__name__

    def close(self) -> None:  # noqa: B027 - optional
        """Called once the batch is done (stop what it started)."""


from clipora_core.exporters import Exporter  # noqa: E402 - it needs nothing from here

INTERFACE_FOR_KIND: dict[Kind, type] = {
    Kind.ASR: ASRBackend,
    Kind.CLEANER: Cleaner,
    Kind.PROBER: Prober,
    Kind.VIDEO_TYPE: VideoTypeAnalyzer,
    Kind.SUBTITLE_WRITER: SubtitleWriter,
    Kind.RENDERER: Renderer,
    Kind.PRESENCE_DETECTOR: PresenceDetector,
    Kind.EXECUTOR: Executor,
    Kind.EXPORTER: Exporter,
}
