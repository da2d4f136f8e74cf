"""Review before render, in the kernel: edits applied to the analyzer's plan and the raw
transcript, versioned, undone; window edges snapping to pauses; bad edits refused whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from clipora_core.contracts import (
    EditPlan,
    EditPlanSegment,
    MediaProbe,
    SemanticItemInterval,
    SemanticItemSet,
    TimeWindow,
    Transcript,
    TranscriptSegment,
    TranscriptWord,
)
from clipora_core.errors import InputError
from clipora_core.review import EDITED_TRANSCRIPT, ORIGINAL_PLAN, PLAN, Review
from clipora_core.review_models import ReviewEdit, replacements, snap_edge
from clipora_core.workspace import JobWorkspace
from pydantic import TypeAdapter, ValidationError

EDIT = TypeAdapter(ReviewEdit)
LINES = [
    ("l1", 0.0, 4.0, "欢迎来到直播间"),
    ("l2", 5.0, 9.0, "这款维C精华真的很好用"),
    ("l3", 10.0, 14.0, "维C精华今天只要九十九"),
    ("l4", 20.0, 24.0, "下一款是保温杯"),
    ("l5", 25.0, 29.0, "保温杯现在有货"),
]


def _w(a: float, b: float) -> TimeWindow:
    return TimeWindow(start_seconds=a, end_seconds=b)


def _seg(clip: str, item: str, title: str, windows: list[TimeWindow], variant: str = "1") -> Any:
    return EditPlanSegment(
        id=clip, windows=windows, title=title, variant=variant,
        metadata={"semantic_item_id": item},
    )  # fmt: skip


@pytest.fixture
def job(tmp_path: Path) -> JobWorkspace:
    source = tmp_path / "live.mp4"
    source.write_bytes(b"not decoded here")
    job = JobWorkspace.create(tmp_path / "work", source)
    job.update(probe=MediaProbe(duration_seconds=40.0, has_video=True))
    words = {"l4": [("下一款是", 20.0, 21.5), ("保温杯", 22.0, 24.0)]}
    transcript = Transcript(
        segments=[
            TranscriptSegment(
                id=i, start_seconds=a, end_seconds=b, text=t,
                words=[TranscriptWord(text=w, start_seconds=x, end_seconds=y)
                       for w, x, y in words.get(i, [])],
            )
            for i, a, b, t in LINES
        ]
    )  # fmt: skip
    job.write_json("semantic/transcript.json", transcript)
    items = SemanticItemSet(
        job_id=job.job_id,
        intervals=[
            SemanticItemInterval(id="item-1", windows=[_w(5, 14)], title="维C精华"),
            SemanticItemInterval(id="item-2", windows=[_w(20, 29)], title="保温杯"),
        ],
    )
    job.write_json("semantic/semantic_item_set.json", items)
    plan = EditPlan(
        plan_id=job.job_id,
        source_path=str(source),
        segments=[
            _seg("c1", "item-1", "维C精华", [_w(5.0, 14.0)]),
            _seg("c2", "item-1", "维C精华", [_w(10.0, 14.0), _w(5.0, 9.0)], "2"),
            _seg("c3", "item-2", "保温杯", [_w(20.0, 29.0)]),
        ],
    )
    job.write_json(PLAN, plan)
    job.set_stage("render", "completed")
    return job


def _plan(job: JobWorkspace) -> EditPlan:
    return EditPlan.model_validate(job.read_json(PLAN))


def _add(job: JobWorkspace, **edit: Any) -> Any:
    return Review.open(job).add(EDIT.validate_python(edit))


def test_a_transcript_fix_reaches_subtitles_and_titles_and_keeps_the_raw_line(job):
    raw_before = job.path("semantic/transcript.json").read_bytes()
    _add(job, kind="transcript", segment_id="l2", text="这款VC精华真的很好用")
    assert job.path("semantic/transcript.json").read_bytes() == raw_before
    edited = Transcript.model_validate(job.read_json(EDITED_TRANSCRIPT))
    line = next(s for s in edited.segments if s.id == "l2")
    assert line.text == "这款VC精华真的很好用" and line.words == []
    assert [s.title for s in _plan(job).segments] == ["VC精华", "VC精华", "保温杯"]
    assert EditPlan.model_validate(job.read_json(ORIGINAL_PLAN)).segments[0].title == "维C精华"
    # The plan changed: the clips render again (each reused when its inputs match).
    assert job.stage("render").status == "pending" and job.manifest.awaiting_review


def test_rename_drop_merge_windows_and_undo(job):
    _add(job, kind="rename", item_id="item-2", title="真空保温杯")
    _add(job, kind="keep", clip_id="c2", keep=False)
    state = _add(job, kind="merge", item_id="item-2", into_id="item-1")
    assert state.items == {"item-1": "维C精华"}
    plan = _plan(job)
    assert [s.id for s in plan.segments] == ["c1", "c3"]  # dropped clips are not rendered
    assert plan.segments[1].title == "维C精华"
    assert plan.segments[1].metadata["semantic_item_id"] == "item-1"
    # An edge inside a word moves into the nearest pause; one in a pause stays.
    state = _add(
        job, kind="windows", clip_id="c3", windows=[{"start_seconds": 21.0, "end_seconds": 25.3}]
    )
    assert state.clip("c3").windows == [_w(21.9, 24.1)]
    assert _plan(job).segments[1].windows == [_w(21.9, 24.1)]
    assert _plan(job).segments[1].original_windows == [_w(21.9, 24.1)]

    review = Review.open(job)
    assert review.log.version == 4
    review.undo()
    assert _plan(job).segments[1].windows == [_w(20.0, 29.0)]
    Review.open(job).undo(to_version=1)
    plan = _plan(job)
    assert [s.id for s in plan.segments] == ["c1", "c2", "c3"]
    assert plan.segments[2].title == "真空保温杯"
    Review.open(job).undo()
    assert _plan(job) == EditPlan.model_validate(job.read_json(ORIGINAL_PLAN))
    with pytest.raises(InputError, match="no edit to undo"):
        Review.open(job).undo()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"kind": "keep", "clip_id": "nope", "keep": False}, "no clip 'nope'"),
        ({"kind": "transcript", "segment_id": "l9", "text": "x"}, "no transcript line"),
        ({"kind": "rename", "item_id": "item-9", "title": "x"}, "no product 'item-9'"),
        ({"kind": "merge", "item_id": "item-1", "into_id": "item-1"}, "into itself"),
        (
            {"kind": "windows", "clip_id": "c1", "windows": [{"start_seconds": 30, "end_seconds": 45}]},
            "ends after the video",
        ),
        (
            {"kind": "windows", "clip_id": "c1",
             "windows": [{"start_seconds": 1, "end_seconds": 6}, {"start_seconds": 5, "end_seconds": 8}]},
            "must not overlap",
        ),
    ],
)  # fmt: skip
def test_an_edit_that_does_not_apply_changes_nothing(job, edit, message):
    before = job.path(PLAN).read_bytes()
    with pytest.raises(InputError, match=message):
        _add(job, **edit)
    assert job.path(PLAN).read_bytes() == before
    assert not job.path("analysis/review/edits.json").exists()


@pytest.mark.parametrize(
    "edit",
    [
        {"kind": "keep", "clip_id": "c1", "keep": False, "extra": 1},
        {"kind": "transcript", "segment_id": "l1", "text": "x" * 501},
        {"kind": "rename", "item_id": "item-1", "title": "   "},
        {"kind": "keep", "clip_id": "../manifest", "keep": True},
        {"kind": "windows", "clip_id": "c1", "windows": []},
        {"kind": "windows", "clip_id": "c1",
         "windows": [{"start_seconds": i, "end_seconds": i + 0.5} for i in range(21)]},
    ],
)  # fmt: skip
def test_malformed_edits_are_refused_by_their_model(edit):
    with pytest.raises(ValidationError):
        EDIT.validate_python(edit)


def test_a_plan_made_again_starts_the_review_afresh(job):
    _add(job, kind="keep", clip_id="c1", keep=False)
    remade = _plan(job).model_copy(update={"segments": [_seg("c9", "item-1", "x", [_w(1, 3)])]})
    job.write_json(PLAN, remade)
    review = Review.open(job)
    assert review.log.version == 0 and [s.id for s in review.state().plan.segments] == ["c9"]


def test_snapping_and_replacements():
    spans = [(0.0, 1.0), (1.5, 3.0), (3.0, 4.0)]
    assert snap_edge(0.5, spans, "start") == 0.0  # before the first word, less its pad
    assert snap_edge(1.2, spans, "start") == 1.2  # already in a pause
    assert snap_edge(2.0, spans, "end") == 1.1
    assert snap_edge(3.7, spans, "end") == 4.1
    assert replacements("this insulated water bottle.", "this insulated thermos flask.") == [
        ("water bottle", "thermos flask")
    ] or replacements("this insulated water bottle.", "this insulated thermos flask.") == [
        ("water", "thermos"),
        ("bottle", "flask"),
    ]
    assert replacements("这款维C精华", "这款VC精华") == [("维C", "VC")]
