"""The engine interface of the ``live_commerce`` analyzer.

The analyzer (``analyzer.py``) owns everything that is the same whatever decides *what* to cut:
splitting the transcript into discovery windows, accepting or dropping interval candidates,
materialising items and their windows, resolving segment ids to times (word-timestamp snapping,
gap bridging, staying inside the item), ids, metadata and ``DroppedUnit`` records.

An *engine* only makes the decisions, on plain data expressed in transcript segment numbers and
ids (never in seconds):

* ``discover_window(request)``: product-selling intervals inside one discovery window;
* ``cluster(request)``: which discovered intervals are the same product;
* ``plan_item(request)``: per variant, one hook span and ordered body spans.

Two engines exist: ``OfflineEngine`` (``offline.py``, rules, no network) and ``LLMEngine``
(``clipora_live_commerce.llm``, an OpenAI-compatible provider), built by ``engines.create_engine``.

Contract for implementers:

* Engines are constructed from the analyzer's options (``LiveCommerceSettings``) and must be
  safe to call from several threads at once (``analysis.live_commerce.concurrency`` /
  ``concurrency.analyze``).
* A unit that cannot be decided (e.g. the model's answer still fails validation after a repair
  attempt) raises ``EngineUnitError(reason)``: the analyzer records that window or item as failed
  with the reason and goes on with the rest. Any other exception fails the whole stage, so use
  it only for what no other unit could survive either (bad credentials, bad config).
* Returned spans must reference numbers/ids that exist in the request; ``validate_*`` below are
  the checks the analyzer applies afterwards. An engine may call them itself to feed the problems
  back to a model before giving up; whatever still fails is dropped by the analyzer and listed.
* ``debug`` dicts are written as-is into the job's debug artifacts (JSON-serialisable values only;
  never secrets).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from clipora_core.api import StageProgress


class EngineUnitError(Exception):
    """One discovery window, the clustering call or one item could not be decided."""

    def __init__(self, reason: str, *, debug: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.debug = debug or {}


# --- shared input ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    start_seconds: float
    end_seconds: float
    text: str


@dataclass(frozen=True)
class Line:
    """One transcript segment. ``number`` is its 1-based index in the whole transcript."""

    number: int
    id: str  # the transcript segment id, e.g. "seg-0001"
    start_seconds: float
    end_seconds: float
    text: str
    words: tuple[Word, ...] = ()

    def render(self) -> str:
        """The line as prompts and debug files show it: ``12. [31.20-35.80] text``."""
        return f"{self.number}. [{self.start_seconds:.2f}-{self.end_seconds:.2f}] {self.text}"


Language = Literal["zh", "en"]


@dataclass(frozen=True)
class ListedProduct:
    """One product of the seller's list, as engines see it."""

    index: int  # position in the list
    name: str
    aliases: tuple[str, ...] = ()
    price: float | None = None
    # The platform's explanation markers (讲解), on the transcript's timeline.
    start_seconds: float | None = None
    end_seconds: float | None = None


# --- discovery ---------------------------------------------------------------------------------


@dataclass
class DiscoverWindowRequest:
    """One discovery window: a contiguous run of transcript lines (windows do not overlap)."""

    window_index: int  # 1-based
    window_count: int
    lines: list[Line]
    language: Language
    progress: StageProgress | None = None
    # Lines just before/after the window, for context only (candidates must stay inside).
    context_before: list[Line] = field(default_factory=list)
    context_after: list[Line] = field(default_factory=list)
    # The seller's product list (empty when none was given).
    products: list[ListedProduct] = field(default_factory=list)

    @property
    def start_number(self) -> int:
        return self.lines[0].number

    @property
    def end_number(self) -> int:
        return self.lines[-1].number

    @property
    def start_seconds(self) -> float:
        return self.lines[0].start_seconds

    @property
    def end_seconds(self) -> float:
        return self.lines[-1].end_seconds


class IntervalCandidate(BaseModel):
    """A product-selling interval: inclusive global segment numbers inside the window."""

    model_config = ConfigDict(extra="ignore")

    start_segment_number: int
    end_segment_number: int
    title: str = Field("", description="short product name")
    summary: str = Field("", description="one sentence on what is said about it")
    # Optional evidence (keywords, prices, cue phrases): used by clustering and debug output.
    keywords: list[str] = Field(default_factory=list)
    # Which product of the seller's list this is (its ``index``), when there is a list and the
    # engine recognised one; ``unlisted``: pitched but not on the list.
    listed_index: int | None = None
    unlisted: bool = False
    # Intervals with the same non-empty key are the same product (a return to it later).
    product_key: str = ""


@dataclass
class WindowDiscovery:
    candidates: list[IntervalCandidate]
    debug: dict[str, Any] = field(default_factory=dict)


def validate_window_candidates(
    request: DiscoverWindowRequest, candidates: list[IntervalCandidate]
) -> list[str]:
    """Problems the analyzer would drop candidates for (empty list: all accepted)."""
    problems: list[str] = []
    last_end = 0
    for i, c in enumerate(candidates, 1):
        where = f"interval {i} ({c.start_segment_number}-{c.end_segment_number})"
        if c.end_segment_number < c.start_segment_number:
            problems.append(f"{where}: end_segment_number is before start_segment_number")
        elif c.start_segment_number < request.start_number:
            problems.append(
                f"{where}: starts before the window (first segment {request.start_number})"
            )
        elif c.end_segment_number > request.end_number:
            problems.append(f"{where}: ends after the window (last segment {request.end_number})")
        elif c.start_segment_number <= last_end:
            problems.append(f"{where}: overlaps or precedes the previous interval")
        else:
            last_end = c.end_segment_number
        if not c.title.strip():
            problems.append(f"{where}: title is empty")
    return problems


# --- clustering --------------------------------------------------------------------------------


@dataclass
class IntervalInfo:
    """An accepted discovered interval, with its lines."""

    id: str  # "semantic-interval-001"
    start_segment_number: int
    end_segment_number: int
    start_seconds: float
    end_seconds: float
    title: str
    summary: str
    lines: list[Line]
    keywords: list[str] = field(default_factory=list)
    listed_index: int | None = None
    unlisted: bool = False
    product_key: str = ""


@dataclass
class ClusterRequest:
    intervals: list[IntervalInfo]  # chronological
    language: Language
    progress: StageProgress | None = None
    products: list[ListedProduct] = field(default_factory=list)


class ClusterGroup(BaseModel):
    model_config = ConfigDict(extra="ignore")

    interval_ids: list[str] = Field(min_length=1)
    title: str = ""
    summary: str = ""


@dataclass
class ClusterPlan:
    groups: list[ClusterGroup]
    debug: dict[str, Any] = field(default_factory=dict)


def validate_cluster_groups(request: ClusterRequest, groups: list[ClusterGroup]) -> list[str]:
    """Problems the analyzer would drop groups for. Intervals no group mentions are not lost:
    the analyzer turns each of them into its own item."""
    known = {i.id for i in request.intervals}
    used: set[str] = set()
    problems: list[str] = []
    for n, g in enumerate(groups, 1):
        ids = g.interval_ids
        if not g.title.strip():
            problems.append(f"group {n}: title is empty")
        if len(ids) != len(set(ids)):
            problems.append(f"group {n}: repeats an interval id")
        unknown = [i for i in ids if i not in known]
        if unknown:
            problems.append(f"group {n}: unknown interval ids {unknown}")
        reused = [i for i in ids if i in used]
        if reused:
            problems.append(f"group {n}: interval ids already used by another group {reused}")
        used.update(ids)
    return problems


# --- per-item planning -------------------------------------------------------------------------


@dataclass
class PlanItemRequest:
    item_id: str  # "semantic-item-001"
    title: str
    summary: str
    # Every transcript line inside the item's windows, in time order; spans must use these ids.
    lines: list[Line]
    # Line ids grouped by item window: a span must stay inside one group.
    window_line_ids: list[list[str]]
    language: Language
    variants: int  # analysis.live_commerce.variants_per_segment
    hook_max_seconds: float  # analysis.live_commerce.hook_max_duration_seconds
    body_target_seconds: float  # analysis.live_commerce.body_target_seconds
    progress: StageProgress | None = None


class SpanChoice(BaseModel):
    """A contiguous run of lines (inclusive segment ids) inside one item window."""

    model_config = ConfigDict(extra="ignore")

    start_segment_id: str
    end_segment_id: str
    selling_point: str = ""  # what this span sells (body); why it hooks (hook)
    reason: str = ""


class VariantChoice(BaseModel):
    model_config = ConfigDict(extra="ignore")

    variant: str = Field(pattern=r"^[1-9][0-9]*$")
    hook: SpanChoice | None = None  # played first; may be None when nothing qualifies
    body: list[SpanChoice] = Field(min_length=1)  # in play order
    title: str = ""  # clip title; the item title when empty
    summary: str = ""


@dataclass
class ItemPlan:
    variants: list[VariantChoice]
    selling_points: list[str] = field(default_factory=list)
    debug: dict[str, Any] = field(default_factory=dict)


def validate_item_plan(request: PlanItemRequest, plan: ItemPlan) -> list[str]:
    """Problems the analyzer would drop variants for."""
    position = {line.id: i for i, line in enumerate(request.lines)}
    group_of = {lid: g for g, ids in enumerate(request.window_line_ids) for lid in ids}
    problems: list[str] = []
    seen_variants: set[str] = set()
    seen_shapes: set[tuple] = set()

    def check(v: str, role: str, span: SpanChoice) -> tuple[int, int] | None:
        a, b = span.start_segment_id, span.end_segment_id
        if a not in position or b not in position:
            bad = [x for x in (a, b) if x not in position]
            problems.append(f"variant {v} {role}: unknown segment ids {bad}")
            return None
        if position[a] > position[b]:
            problems.append(f"variant {v} {role}: {a} comes after {b}")
            return None
        if group_of.get(a) != group_of.get(b):
            problems.append(f"variant {v} {role}: {a}..{b} spans two separate item windows")
            return None
        return position[a], position[b]

    for plan_v in plan.variants:
        v = plan_v.variant
        if v in seen_variants:
            problems.append(f"variant {v}: duplicate variant name")
        seen_variants.add(v)
        spans: list[tuple[int, int]] = []
        if plan_v.hook is not None:
            r = check(v, "hook", plan_v.hook)
            if r:
                dur = request.lines[r[1]].end_seconds - request.lines[r[0]].start_seconds
                if dur > request.hook_max_seconds * 1.5:
                    problems.append(
                        f"variant {v} hook: {dur:.1f} s is longer than "
                        f"{request.hook_max_seconds * 1.5:.1f} s"
                    )
                spans.append(r)
        for k, span in enumerate(plan_v.body, 1):
            r = check(v, f"body {k}", span)
            if r:
                spans.append(r)
        ordered = sorted(spans)
        for p, c in zip(ordered, ordered[1:], strict=False):
            if c[0] <= p[1]:
                problems.append(f"variant {v}: spans overlap ({p} and {c} by line position)")
                break
        shape = tuple(spans)
        if shape in seen_shapes:
            problems.append(f"variant {v}: identical to an earlier variant")
        seen_shapes.add(shape)
    return problems


# --- the engine --------------------------------------------------------------------------------


@runtime_checkable
class Engine(Protocol):
    name: str  # "offline", "llm"
    # Longest discovery window the engine takes, in seconds (None: the whole transcript at
    # once). A model request has a size limit; the offline engine sees the whole stream, so a
    # product pitched again an hour later is recognised.
    window_seconds: float | None

    def discover_window(self, request: DiscoverWindowRequest) -> WindowDiscovery: ...

    def cluster(self, request: ClusterRequest) -> ClusterPlan: ...

    def plan_item(self, request: PlanItemRequest) -> ItemPlan: ...

    def close(self) -> None: ...
