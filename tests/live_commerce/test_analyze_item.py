"""Per-item clip plans of the offline engine: hook first, body after, variants that differ,
windows on speech that never leave the item."""

from __future__ import annotations

from clipora_live_commerce.analyzer import LiveCommerceAnalyzer
from lc_transcripts import build_transcript
from test_discovery import EN_STREAM, ZH_STREAM


def plan(make_ctx, stream, lang, words=False, **overrides):
    ctx = make_ctx(build_transcript(stream, lang, words=words), **overrides)
    analyzer = LiveCommerceAnalyzer(ctx.settings.analysis.live_commerce)
    items = analyzer.cluster(ctx, analyzer.discover(ctx).intervals).items
    return ctx, items, {i.id: analyzer.analyze_item(ctx, i) for i in items}


def inside(w, item) -> bool:
    return any(
        x.start_seconds - 1e-6 <= w.start_seconds and w.end_seconds <= x.end_seconds + 1e-6
        for x in item.windows
    )


def test_variants_hook_then_body_inside_the_item(make_ctx):
    for stream, lang in ((ZH_STREAM, "zh"), (EN_STREAM, "en")):
        ctx, items, plans = plan(make_ctx, stream, lang)
        assert ctx.dropped == []
        for item in items:
            segs = plans[item.id]
            assert [s.id for s in segs] == [f"{item.id}-plan-{k:03d}" for k in (1, 2)]
            assert [s.variant for s in segs] == ["1", "2"]
            for s in segs:
                planned = s.metadata["planned_windows"]
                assert planned[0]["role"] == "hook"
                assert {p["role"] for p in planned[1:]} == {"body"}
                assert planned[0]["duration_seconds"] <= 15.0
                assert s.metadata["engine"] == "offline"
                assert s.metadata["selling_points"]
                assert s.title and s.summary
                assert all(inside(w, item) for w in s.windows)
                ordered = sorted(s.windows, key=lambda w: w.start_seconds)
                assert all(
                    a.end_seconds <= b.start_seconds
                    for a, b in zip(ordered, ordered[1:], strict=False)
                )
            hooks = [s.metadata["hook_selected"]["real_segment_ids"] for s in segs]
            assert hooks[0] != hooks[1], "variants must open differently"


def test_hook_is_a_strong_offer_or_benefit_line(make_ctx):
    _, items, plans = plan(make_ctx, ZH_STREAM, "zh")
    first = plans[items[0].id][0]
    hook_ids = first.metadata["hook_selected"]["real_segment_ids"]
    assert hook_ids and hook_ids[0] in {
        "seg-0004",
        "seg-0005",
        "seg-0006",
        "seg-0010",
        "seg-0012",
        "seg-0015",
    }
    # The call to action and the introduction line are not hooks.
    assert "seg-0007" not in hook_ids and "seg-0003" not in hook_ids


def test_sub_second_gaps_are_bridged_and_dead_air_is_cut(make_ctx):
    stream = [
        ("This blender has a thousand watt motor and crushes ice.", 5.0, 0.4),
        ("The blender jar holds two liters and is easy to clean.", 5.0, 0.4),
        ("I make a smoothie with this blender every single morning.", 5.0, 4.0),  # dead air after
        ("The blender is usually 120 dollars, today only 79 dollars.", 5.0, 0.4),
        ("The link is up, 3, 2, 1, grab it!", 3.0, 0.4),
    ]
    ctx, items, plans = plan(
        make_ctx, stream, "en", **{"analysis.live_commerce.variants_per_segment": 1}
    )
    assert len(items) == 1
    seg = plans[items[0].id][0]
    body = [p for p in seg.metadata["planned_windows"] if p["role"] == "body"]
    fragments = [f for p in body for f in p["fragments"]]
    # No window starts inside the 4 s of silence, and none spans it.
    for f in fragments:
        assert not (f["start_seconds"] < 15.9 and f["end_seconds"] > 19.8)
    # Consecutive lines 0.4 s apart play as one window (no jump cut on a breath).
    for a, b in zip(seg.windows, seg.windows[1:], strict=False):
        assert not (0 <= b.start_seconds - a.end_seconds <= 1.0)


def test_word_timestamps_tighten_window_edges(make_ctx):
    _, items, plans = plan(make_ctx, EN_STREAM, "en", words=True)
    seg = plans[items[1].id][0]
    lines = {s.id: s for s in build_transcript(EN_STREAM, "en", words=True).segments}
    for p in seg.metadata["planned_windows"]:
        first = lines[p["real_segment_ids"][0]]
        # Speech starts 0.1 s into the segment; the lead-in pad never reaches back beyond the gap.
        assert p["start_seconds"] >= first.start_seconds - 0.15 - 1e-6
        assert p["start_seconds"] <= first.words[0].start_seconds


def test_one_variant_when_asked(make_ctx):
    _, items, plans = plan(
        make_ctx, EN_STREAM, "en", **{"analysis.live_commerce.variants_per_segment": 1}
    )
    assert all(len(v) == 1 for v in plans.values())


def test_body_targets_the_configured_length(make_ctx):
    long_stream = [
        (f"这款保温杯的第{n}个卖点是不锈钢内胆保温十二个小时，非常好用。", 6.0)
        for n in range(1, 30)
    ]
    long_stream[0] = ("第一款产品就是这款保温杯。", 3.0)
    long_stream[20] = ("这款保温杯原价一百九十九，今天只要一百二十九。", 5.0)
    long_stream.append(("三二一，上链接，一号链接。", 3.0))
    _, items, plans = plan(
        make_ctx, long_stream, "zh", **{"analysis.live_commerce.body_target_seconds": 30}
    )
    for seg in plans[items[0].id]:
        body = sum(
            p["duration_seconds"] for p in seg.metadata["planned_windows"] if p["role"] == "body"
        )
        assert 25 <= body <= 45
        roles = " ".join(p["selling_point"] or "" for p in seg.metadata["planned_windows"])
        assert "price:" in roles or "price" in seg.metadata["hook_selected"]["reason"]


def test_something_not_for_sale_is_never_in_a_clip_whatever_it_cost(make_ctx):
    stream = [
        ("Hey everyone, welcome back!", 3.0, 1.0),
        ("Let's start with this linen shirt.", 4.0),
        ("The linen shirt is breathable and soft, perfect for summer.", 6.0),
        ("This top I'm wearing? Honestly I got it for 4 dollars, it's not from the shop.", 6.0),
        ("The linen shirt comes in white, sand and navy, sizes small to extra large.", 6.0),
        ("The linen shirt is usually 59 dollars, today only 35 dollars.", 5.0),
        ("Link number one is live, go grab it!", 3.0, 2.0),
        ("That's all for today, bye!", 3.0),
    ]
    _, items, plans = plan(make_ctx, stream, "en")
    assert [i.title for i in items] == ["linen shirt"]
    aside = build_transcript(stream, "en").segments[3]
    for seg in plans[items[0].id]:
        for w in seg.windows:
            assert not (w.start_seconds <= aside.start_seconds < w.end_seconds), seg.windows
