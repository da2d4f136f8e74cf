"""Host presence in the analyzer (``analysis.pose_presence``): hooks move off empty-set spans or go,
body windows split into their present parts on speech edges, variants with nothing left are
dropped and listed, and an unusable report changes nothing. Reports are built the way the core
builds them (samples on a grid, ``clipora_core.timeline.presence_windows``) from a known truth."""

from __future__ import annotations

import math

import pytest
from clipora_core.contracts import PresenceReport, PresenceSample
from clipora_core.timeline import presence_windows
from clipora_live_commerce.analyzer import LiveCommerceAnalyzer
from lc_transcripts import build_transcript
from llm_server import Reply, ScriptedLLM, item_lines, smart_answer
from test_llm_analyzer import PRODUCTS, analyzer_and_ctx
from test_llm_analyzer import STREAM as LLM_STREAM

STREAM = [
    ("Hello everyone, welcome back to the stream.", 3.0, 1.0),
    ("Next product is this blender.", 2.5),  # seg-0002  4.0-6.5
    ("This blender has a thousand watt motor and crushes ice in seconds.", 5.0),  # 7.0-12.0
    ("The blender jar holds two liters and is really easy to clean.", 5.0),  # 12.5-17.5
    ("I make a smoothie with this blender every single morning.", 5.0),  # 18.0-23.0
    ("The blender comes with a travel cup and a spare blade.", 5.0),  # 23.5-28.5
    ("The blender is usually 120 dollars, today only 79 dollars.", 4.0),  # 29.0-33.0
    ("The link is up, grab it now!", 3.0),  # 33.5-36.5
]
ON = {"analysis.pose_presence.enabled": True, "analysis.semantic_min_duration_seconds": 5}
TOLERANCE = 0.05  # what the analyzer treats as sample-grid rounding


def report_for(item, absent, interval=1.0, status=None) -> PresenceReport:
    """Samples on the detector's grid inside the item's windows; ``absent`` is the truth."""
    samples = []
    for w in item.windows:
        inner = range(
            math.floor(w.start_seconds / interval) + 1, math.ceil(w.end_seconds / interval)
        )
        for t in [w.start_seconds + 0.25, *(k * interval for k in inner), w.end_seconds - 0.25]:
            verdict = status or ("absent" if any(a <= t < b for a, b in absent) else "present")
            samples.append(PresenceSample(timestamp_seconds=t, status=verdict))
    present, missing = presence_windows(samples, interval, item.windows)
    return PresenceReport(
        semantic_item_id=item.id,
        detector="test",
        sample_interval_seconds=interval,
        samples=samples,
        present_windows=present,
        absent_windows=missing,
    )


def analyze(make_ctx, absent=None, report=None, stream=STREAM, **overrides):
    ctx = make_ctx(build_transcript(stream, "en", words=True), **{**ON, **overrides})
    analyzer = LiveCommerceAnalyzer(ctx.settings.analysis.live_commerce)
    (item,) = analyzer.cluster(ctx, analyzer.discover(ctx).intervals).items
    if absent is not None or report is not None:
        ctx.presence[item.id] = report or report_for(item, absent)
    return ctx, item, analyzer.analyze_item(ctx, item)


def overlap(w, spans) -> float:
    return max(
        (min(w.end_seconds, b.end_seconds) - max(w.start_seconds, b.start_seconds) for b in spans),
        default=0.0,
    )


def assert_on_screen(ctx, item, segs):
    absent = ctx.presence[item.id].absent_windows
    for seg in segs:
        for w in seg.windows:
            assert overlap(w, absent) <= TOLERANCE, (seg.id, w, absent)
        assert seg.metadata["pose_presence_enabled"] is True
        assert seg.metadata["pose_present_throughout"] is True
        assert seg.metadata["pose_presence_ratio"] == 1.0


def test_hook_moves_to_the_next_line_with_the_host_on_screen(make_ctx):
    # The host walks out while saying seg-0004, variant 1's hook; a short body leaves lines
    # free to open with.
    _, _, before = analyze(make_ctx, **{"analysis.live_commerce.body_target_seconds": 10})
    assert before[0].metadata["hook_selected"]["real_segment_ids"] == ["seg-0004"]
    ctx, item, segs = analyze(
        make_ctx, absent=[(12.0, 18.0)], **{"analysis.live_commerce.body_target_seconds": 10}
    )
    assert_on_screen(ctx, item, segs)
    first = segs[0].metadata
    (change,) = [a for a in first["presence_adjustments"] if a["role"] == "hook"]
    assert change["action"] == "moved"
    assert change["reason"].startswith("host absent 12.4-17.5s")
    assert change["from"]["start_segment_id"] == "seg-0004"
    hook = first["hook_selected"]
    assert first["planned_windows"][0] is not None and first["planned_windows"][0]["role"] == "hook"
    assert change["to"]["start_segment_id"] == hook["start_segment_id"] != "seg-0004"
    assert hook["presence_moved_from"] == ["seg-0004", "seg-0004"]
    body_ids = {
        i for p in first["planned_windows"] if p["role"] == "body" for i in p["real_segment_ids"]
    }
    assert not body_ids & set(hook["real_segment_ids"]), "no line plays twice"
    assert segs[0].windows[0].start_seconds == hook["start_seconds"], (
        "the hook still opens the clip"
    )
    assert ctx.dropped == []


def test_hook_is_dropped_when_no_other_line_is_free(make_ctx):
    # With the default body target variant 1 uses every other line as body: nothing to move to.
    ctx, item, segs = analyze(make_ctx, absent=[(12.5, 18.0)])
    assert_on_screen(ctx, item, segs)
    meta = segs[0].metadata
    (change,) = [a for a in meta["presence_adjustments"] if a["role"] == "hook"]
    assert change["action"] == "dropped" and "no other self-contained line" in change["reason"]
    assert meta["hook_selected"] is None and meta["hook_was_prepended"] is False
    assert {p["role"] for p in meta["planned_windows"]} == {"body"}


def test_body_window_splits_into_present_parts_on_speech_edges(make_ctx):
    ctx, item, segs = analyze(make_ctx, absent=[(20.0, 26.0)])
    assert_on_screen(ctx, item, segs)
    lines = {s.id: s for s in ctx.transcript.segments}
    for seg in segs:
        splits = [a for a in seg.metadata["presence_adjustments"] if a["action"] == "split"]
        assert splits, seg.metadata["presence_adjustments"]
        for a in splits:
            assert a["role"] == "body" and a["reason"].startswith("host absent 19.5-25.5s")
            assert len(a["to"]) == 2
        pieces = [p for p in seg.metadata["planned_windows"] if p.get("presence_split_of")]
        assert pieces and all(p["presence_snapped_to"] in {"line", "word"} for p in pieces)
        for p in pieces:
            words = [w for sid in p["real_segment_ids"] for w in lines[sid].words]
            # Every edge is within the breathing room of a word edge: no syllable is clipped.
            assert min(abs(p["start_seconds"] - w.start_seconds) for w in words) <= 0.16
            assert min(abs(p["end_seconds"] - w.end_seconds) for w in words) <= 0.26
    # Variant 2's first piece keeps whole lines (seg-0002..seg-0004) rather than half of seg-0005.
    assert any(
        p["real_segment_ids"] == ["seg-0002", "seg-0003", "seg-0004"]
        and p["presence_snapped_to"] == "line"
        for p in segs[1].metadata["planned_windows"]
    )


def test_too_short_present_part_is_dropped_and_recorded(make_ctx):
    # Only ~0.5 s of seg-0005 is left before the host leaves: shorter than the 1.5 s minimum.
    ctx, item, segs = analyze(make_ctx, absent=[(19.0, 26.0)])
    assert_on_screen(ctx, item, segs)
    drops = [a for a in segs[0].metadata["presence_adjustments"] if a["action"] == "dropped"]
    assert drops and all(a["role"] == "body" for a in drops)
    assert any(
        "shorter than 1.5 s" in a["reason"] and a["piece"]["end_seconds"] == pytest.approx(18.5)
        for a in drops
    )
    played = [w for s in segs for w in s.windows]
    assert not any(
        w.start_seconds < 18.5 < w.end_seconds + 0.01 and w.end_seconds <= 18.6 for w in played
    )


def test_short_absence_within_the_limits_keeps_the_window(make_ctx):
    # 2 s away inside variant 2's 24.6 s body window: 92% present, gap below 3 s.
    ctx, item, segs = analyze(make_ctx, absent=[(19.0, 21.0)])
    kept = [a for a in segs[1].metadata["presence_adjustments"] if a["action"] == "kept"]
    assert len(kept) == 1 and "within the tolerated limits" in kept[0]["reason"]
    assert "92% present" in kept[0]["reason"]
    assert segs[1].metadata["pose_present_throughout"] is False
    assert 0.9 <= segs[1].metadata["pose_presence_ratio"] < 1.0
    # A stricter ratio splits the same window.
    ctx, item, segs = analyze(
        make_ctx, absent=[(19.0, 21.0)], **{"analysis.pose_presence.min_presence_ratio": 0.95}
    )
    assert [
        a["action"] for a in segs[1].metadata["presence_adjustments"] if a["role"] == "body"
    ] == ["split"]
    assert_on_screen(ctx, item, segs)


def test_variant_with_nothing_on_screen_is_dropped_and_listed(make_ctx):
    ctx, item, segs = analyze(make_ctx, absent=[(0.0, 40.0)])
    assert segs == []
    variants = [d for d in ctx.dropped if d.unit == "variant"]
    assert [d.id for d in variants] == [f"{item.id}-variant-1", f"{item.id}-variant-2"]
    assert all(d.stage == "analyze" and d.kind == "dropped" for d in variants)
    assert all(
        "no body window left with the host on screen" in d.reason and "host absent" in d.reason
        for d in variants
    )
    assert [(d.unit, d.id) for d in ctx.dropped if d.unit == "item"] == [("item", item.id)]


def test_one_variant_dropped_the_other_renumbered(make_ctx):
    # The host is there only while seg-0004 is said: variant 1's hook, part of variant 2's body.
    ctx, item, segs = analyze(make_ctx, absent=[(0.0, 12.5), (18.0, 40.0)])
    assert [d.id for d in ctx.dropped] == [f"{item.id}-variant-1"]
    (seg,) = segs
    assert seg.id == f"{item.id}-plan-001" and seg.variant == "1"
    assert seg.metadata["engine_variant"] == "2"
    assert seg.metadata["hook_selected"] is None
    assert [p["real_segment_ids"] for p in seg.metadata["planned_windows"]] == [["seg-0004"]]
    assert_on_screen(ctx, item, segs)


def test_variants_left_with_the_same_lines_collapse_into_one(make_ctx):
    ctx, item, segs = analyze(make_ctx, absent=[(0.0, 33.5)])
    (seg,) = segs
    assert [p["real_segment_ids"] for p in seg.metadata["planned_windows"]] == [["seg-0008"]]
    (dropped,) = ctx.dropped
    assert dropped.id == f"{item.id}-variant-2" and "same lines as variant 1" in dropped.reason


@pytest.mark.parametrize("status", ["uncertain", None])
def test_unusable_report_changes_nothing(make_ctx, status):
    _, _, plain = analyze(make_ctx)
    ctx0 = make_ctx(build_transcript(STREAM, "en", words=True), **ON)
    analyzer = LiveCommerceAnalyzer(ctx0.settings.analysis.live_commerce)
    (item,) = analyzer.cluster(ctx0, analyzer.discover(ctx0).intervals).items
    report = (
        report_for(item, [], status=status)
        if status
        else PresenceReport(semantic_item_id=item.id, detector="test", sample_interval_seconds=1.0)
    )
    ctx, _, segs = analyze(make_ctx, report=report)
    assert [s.windows for s in segs] == [s.windows for s in plain]
    for s in segs:
        assert s.metadata["presence_adjustments"] == []
        assert s.metadata["pose_presence_ratio"] is None
        note = s.metadata["presence_note"]
        assert note.endswith("windows left unchanged")
        assert ("uncertain" in note) if status else ("no samples" in note)
    assert ctx.dropped == []


def test_presence_off_leaves_plans_alone(make_ctx):
    ctx, _, segs = analyze(make_ctx, **{"analysis.pose_presence.enabled": False})
    for s in segs:
        assert s.metadata["pose_presence_enabled"] is False
        assert s.metadata["presence_adjustments"] == [] and s.metadata["presence_note"] is None


def test_llm_engine_hook_moves_by_the_same_rules():
    """The llm engine offers one hook per variant; the analyzer finds another line itself."""

    def script(rec, before):
        answer = smart_answer(rec, PRODUCTS)
        if rec.stage == "plan" and rec.unit == "semantic-item-001":
            ids = [sid for sid, _ in item_lines(rec)[0]]  # seg-0002..seg-0006
            answer["variants"] = [
                {
                    "variant": "1",
                    "title": "Blender",
                    "summary": "The blender.",
                    "hook": {
                        "start_segment_id": ids[1],
                        "end_segment_id": ids[1],
                        "reason": "crushes ice",
                    },
                    "body": [
                        {
                            "start_segment_id": ids[3],
                            "end_segment_id": ids[4],
                            "selling_point": "price: 79 dollars",
                            "reason": "deal",
                        }
                    ],
                }
            ]
        return Reply(answer)

    transcript = build_transcript(LLM_STREAM, "en", words=True)
    with ScriptedLLM(script) as server:
        analyzer, ctx = analyzer_and_ctx(
            transcript,
            **{
                "analysis.live_commerce.provider.base_url": server.base_url,
                "analysis.live_commerce.variants_per_segment": 1,
                **ON,
            },
        )
        items = analyzer.cluster(ctx, analyzer.discover(ctx).intervals).items
        blender = items[0]
        assert blender.title == "Blender"
        ctx.presence[blender.id] = report_for(blender, [(9.0, 15.0)])  # seg-0003 is 9.5-14.5
        (seg,) = analyzer.analyze_item(ctx, blender)
        analyzer.close()
    assert seg.metadata["engine"] == "llm"
    (change,) = seg.metadata["presence_adjustments"]
    assert (change["role"], change["action"]) == ("hook", "moved")
    assert change["from"]["start_segment_id"] == "seg-0003"
    hook = seg.metadata["hook_selected"]
    assert hook["real_segment_ids"][0] not in {"seg-0003", "seg-0005", "seg-0006"}
    assert_on_screen(ctx, blender, [seg])
