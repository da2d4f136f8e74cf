"""Review before render: a seller's edits to an analyzed job, and what they produce.

The analyzer's plan is kept as ``analysis/edit_plan.original.json`` and the raw transcript stays
in ``semantic/``; the edits (``analysis/review/edits.json``, one version per edit) apply on top
of them to make ``analysis/edit_plan.json`` (still the render contract: dropped clips are absent)
and, when a line was fixed, ``analysis/review/transcript.json`` (what subtitles read). The whole
review lives under ``analysis/``, so analyzing the job again starts it afresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from clipora_core.contracts import (
    EditPlan,
    EditPlanSegment,
    SemanticItemSet,
    TimeMapEntry,
    TimeWindow,
    Transcript,
    first_error,
)
from clipora_core.errors import InputError
from clipora_core.fileio import read_json
from clipora_core.review_models import (
    MAX_VERSIONS,
    KeepClip,
    MergeItems,
    RenameItem,
    ReviewEdit,
    ReviewLog,
    ReviewVersion,
    SetWindows,
    TranscriptFix,
    apply_replacements,
    replacements,
    snap_windows,
    speech_spans,
)
from clipora_core.timeline import to_effective_time, to_original_windows
from clipora_core.workspace import JobWorkspace, fingerprint

PLAN = "analysis/edit_plan.json"
ORIGINAL_PLAN = "analysis/edit_plan.original.json"
EDITS = "analysis/review/edits.json"
EDITED_TRANSCRIPT = "analysis/review/transcript.json"
RAW_TRANSCRIPT = "semantic/transcript.json"


def effective_transcript_path(job: JobWorkspace) -> Path:
    """The transcript subtitles and titles read: the reviewed one when a line was fixed."""
    edited = job.path(EDITED_TRANSCRIPT)
    return edited if edited.is_file() else job.path(RAW_TRANSCRIPT)


@dataclass
class ReviewState:
    """The job as the first ``version`` edits leave it."""

    plan: EditPlan  # every clip, dropped ones included
    transcript: Transcript | None
    items: dict[str, str]  # item id -> product name, merged items gone
    dropped: set[str] = field(default_factory=set)
    fixed: dict[str, str] = field(default_factory=dict)  # transcript segment id -> its fix

    def kept_plan(self) -> EditPlan:
        kept = [s for s in self.plan.segments if s.id not in self.dropped]
        meta = dict(self.plan.metadata, segment_count=len(kept), reviewed=True)
        return self.plan.model_copy(update={"segments": kept, "metadata": meta})

    def clip(self, clip_id: str) -> EditPlanSegment:
        for seg in self.plan.segments:
            if seg.id == clip_id:
                return seg
        raise InputError(f"no clip {clip_id!r} in this job's plan")


@dataclass
class Review:
    """A job's review: its inputs (read once) and its edits."""

    job: JobWorkspace
    original: EditPlan
    raw_transcript: Transcript | None
    item_titles: dict[str, str]
    log: ReviewLog
    time_map: list[TimeMapEntry]

    @classmethod
    def open(cls, job: JobWorkspace) -> Review:
        if not job.path(PLAN).is_file():
            raise InputError(
                "this job has no edit plan to review yet", hint="run it through analyze first"
            )
        current = _read(job, PLAN, EditPlan)
        log = _read(job, EDITS, ReviewLog) if job.path(EDITS).is_file() else ReviewLog()
        original = current
        if job.path(ORIGINAL_PLAN).is_file():
            original = _read(job, ORIGINAL_PLAN, EditPlan)
        current_fp = _plan_fp(current)
        if current_fp not in (log.applied_fingerprint, log.original_fingerprint):
            # The plan was made again (re-analysis of one item, a hand edit): start afresh.
            original, log = current, ReviewLog()
        log.original_fingerprint = _plan_fp(original)
        transcript = None
        if job.path(RAW_TRANSCRIPT).is_file():
            transcript = _read(job, RAW_TRANSCRIPT, Transcript)
        titles: dict[str, str] = {}
        if job.path("semantic/semantic_item_set.json").is_file():
            items = _read(job, "semantic/semantic_item_set.json", SemanticItemSet)
            titles = {i.id: i.title or i.id for i in items.intervals}
        for seg in original.segments:
            item = _item_of(seg)
            titles.setdefault(item, seg.title or item)
        time_map = [TimeMapEntry.model_validate(e) for e in _time_map(job)]
        return cls(job, original, transcript, titles, log, time_map)

    @property
    def duration(self) -> float:
        probe = self.job.manifest.probe
        cleaning = self.job.manifest.cleaning
        if cleaning.virtual and cleaning.removed:
            return cleaning.cleaned_duration_seconds
        return probe.duration_seconds if probe is not None else 0.0

    @property
    def media_time_map(self) -> list[TimeMapEntry]:
        """Cleaned timeline -> times in the video the review plays (``job.effective_source``):
        empty unless cleaning cut spans out of the recording without copying it (a job cleaned
        into a copy by an earlier version plays that copy, already on the cleaned clock)."""
        cleaning = self.job.manifest.cleaning
        return self.time_map if cleaning.virtual and cleaning.removed else []

    @property
    def media_duration(self) -> float:
        """The played video's length (the recording's, even when cleaning removed spans)."""
        if not self.media_time_map:
            return self.duration
        probe = self.job.manifest.probe
        return probe.duration_seconds if probe is not None else self.duration

    def on_cleaned_clock(self, edit: SetWindows) -> SetWindows:
        """``edit`` with its windows on the cleaned timeline (as the plan and the log keep
        them); a recording-clock edge inside a removed span moves to where the video resumes."""
        if edit.clock == "cleaned":
            return edit
        moved: list[TimeWindow] = []
        for w in edit.windows:
            if w.end_seconds > self.media_duration + 0.05:
                raise InputError(
                    f"window {w.start_seconds:.2f}-{w.end_seconds:.2f}s ends after the video "
                    f"({self.media_duration:.2f}s)"
                )
            a = to_effective_time(w.start_seconds, self.media_time_map)
            b = to_effective_time(w.end_seconds, self.media_time_map)
            if b - a < 1e-6:
                raise InputError(
                    f"window {w.start_seconds:.2f}-{w.end_seconds:.2f}s lies in a part of the "
                    "recording that cleaning removed"
                )
            moved.append(TimeWindow(start_seconds=round(a, 3), end_seconds=round(b, 3)))
        return edit.model_copy(update={"windows": moved, "clock": "cleaned"})

    def state(self, version: int | None = None) -> ReviewState:
        n = self.log.version if version is None else version
        st = ReviewState(
            plan=self.original.model_copy(deep=True),
            transcript=self.raw_transcript.model_copy(deep=True) if self.raw_transcript else None,
            items={i: t for i, t in self.item_titles.items() if self._has_clips(i)},
        )
        for v in self.log.versions[:n]:
            self._apply(st, v.edit)
        return st

    def _has_clips(self, item_id: str) -> bool:
        return any(_item_of(s) == item_id for s in self.original.segments)

    # --- edits --------------------------------------------------------------------------------

    def add(self, edit: ReviewEdit) -> ReviewState:
        """Check ``edit`` against the current state, record it as the next version, write the
        plan it makes. Raises InputError (nothing written) when it does not apply."""
        if self.log.version >= MAX_VERSIONS:
            raise InputError(f"this review already holds {MAX_VERSIONS} edits")
        st = self.state()
        if isinstance(edit, SetWindows):
            edit = self.on_cleaned_clock(edit)
            _check_windows(edit, self.duration)  # as asked, then as snapped below
        if isinstance(edit, SetWindows) and edit.snap:
            spans = speech_spans(self.raw_transcript)
            edit = edit.model_copy(
                update={"windows": snap_windows(edit.windows, spans, self.duration)}
            )
        self._check(st, edit)
        self._apply(st, edit)
        self.log.versions.append(ReviewVersion(version=self.log.version + 1, edit=edit))
        self._write(st)
        return st

    def undo(self, to_version: int | None = None) -> ReviewState:
        """Back to ``to_version`` (default: one edit back); later edits are forgotten."""
        target = self.log.version - 1 if to_version is None else to_version
        if self.log.version == 0:
            raise InputError("there is no edit to undo")
        if not 0 <= target < self.log.version:
            raise InputError(f"version {target} is not before the current {self.log.version}")
        del self.log.versions[target:]
        st = self.state()
        self._write(st)
        return st

    def _check(self, st: ReviewState, edit: ReviewEdit) -> None:
        if isinstance(edit, TranscriptFix):
            ids = {s.id for s in st.transcript.segments} if st.transcript else set()
            if edit.segment_id not in ids:
                raise InputError(f"no transcript line {edit.segment_id!r}")
        elif isinstance(edit, RenameItem):
            self._known_item(st, edit.item_id)
        elif isinstance(edit, MergeItems):
            self._known_item(st, edit.item_id)
            self._known_item(st, edit.into_id)
            if edit.item_id == edit.into_id:
                raise InputError("an item cannot be merged into itself")
        elif isinstance(edit, KeepClip):
            st.clip(edit.clip_id)
        else:
            st.clip(edit.clip_id)
            _check_windows(self.on_cleaned_clock(edit), self.duration)

    @staticmethod
    def _known_item(st: ReviewState, item_id: str) -> None:
        if item_id not in st.items:
            raise InputError(f"no product {item_id!r} in this job")

    def _apply(self, st: ReviewState, edit: ReviewEdit) -> None:
        if isinstance(edit, TranscriptFix):
            _fix_line(st, edit)
        elif isinstance(edit, RenameItem):
            st.items[edit.item_id] = edit.title
            for seg in st.plan.segments:
                if _item_of(seg) == edit.item_id:
                    seg.title = edit.title
        elif isinstance(edit, MergeItems):
            title = st.items.pop(edit.item_id)
            for seg in st.plan.segments:
                if _item_of(seg) == edit.item_id:
                    seg.metadata["semantic_item_id"] = edit.into_id
                    seg.metadata.setdefault("merged_from", title)
                    seg.title = st.items[edit.into_id]
        elif isinstance(edit, KeepClip):
            (st.dropped.discard if edit.keep else st.dropped.add)(edit.clip_id)
        else:
            seg = st.clip(edit.clip_id)
            seg.windows = list(self.on_cleaned_clock(edit).windows)
            seg.original_windows = to_original_windows(seg.windows, self.time_map)
            seg.start_seconds = min(w.start_seconds for w in seg.windows)
            seg.end_seconds = max(w.end_seconds for w in seg.windows)

    # --- files --------------------------------------------------------------------------------

    def _write(self, st: ReviewState) -> None:
        job = self.job
        if not job.path(ORIGINAL_PLAN).is_file():
            job.write_json(ORIGINAL_PLAN, self.original)
        plan = st.kept_plan() if self.log.versions else self.original
        self.log.applied_fingerprint = _plan_fp(plan)
        job.write_json(EDITS, self.log)
        if st.fixed and st.transcript is not None:
            job.write_json(EDITED_TRANSCRIPT, st.transcript)
        else:
            job.path(EDITED_TRANSCRIPT).unlink(missing_ok=True)
        job.write_json(PLAN, plan)
        # The clips must be rendered from the new plan; each clip whose windows and text are
        # unchanged is reused by the render stage, so only edited clips render again.
        if job.stage("render").status != "pending":
            job.set_stage("render", "pending")
        job.update(awaiting_review=True)


def _fix_line(st: ReviewState, edit: TranscriptFix) -> None:
    assert st.transcript is not None
    for seg in st.transcript.segments:
        if seg.id != edit.segment_id:
            continue
        pairs = replacements(seg.text, edit.text)
        seg.text = edit.text
        # The heard words no longer match the text: subtitles share the line's time out.
        seg.words = []
        st.fixed[seg.id] = edit.text
        st.items = {i: apply_replacements(t, pairs) for i, t in st.items.items()}
        for clip in st.plan.segments:
            clip.title = apply_replacements(clip.title, pairs)
    st.transcript.text = " ".join(s.text.strip() for s in st.transcript.segments).strip()


def _check_windows(edit: SetWindows, duration: float) -> None:
    ordered = sorted(edit.windows, key=lambda w: w.start_seconds)
    for prev, cur in zip(ordered, ordered[1:], strict=False):
        if prev.end_seconds > cur.start_seconds + 1e-6:
            raise InputError("a clip's windows must not overlap")
    for w in edit.windows:
        if w.duration < 0.3:
            raise InputError(f"window {w.start_seconds:.2f}-{w.end_seconds:.2f}s is too short")
        if duration and w.end_seconds > duration + 0.05:
            raise InputError(
                f"window {w.start_seconds:.2f}-{w.end_seconds:.2f}s ends after the video "
                f"({duration:.2f}s)"
            )


def _item_of(seg: EditPlanSegment) -> str:
    return str(seg.metadata.get("semantic_item_id") or seg.id)


def _plan_fp(plan: EditPlan) -> str:
    return fingerprint(plan.model_dump(mode="json"))


def _time_map(job: JobWorkspace) -> list[Any]:
    path = job.path("clean/time_map.json")
    return read_json(path) if path.is_file() else []


def _read(job: JobWorkspace, rel: str, model: Any) -> Any:
    try:
        return model.model_validate(job.read_json(rel))
    except ValidationError as exc:
        raise InputError(f"the job's {rel} is damaged: {first_error(exc)}") from None
    except ValueError as exc:
        raise InputError(f"the job's {rel} is damaged: {str(exc).splitlines()[0]}") from None


def awaiting_review(job: JobWorkspace) -> bool:
    return bool(job.manifest.awaiting_review) and job.stage("render").status != "completed"
