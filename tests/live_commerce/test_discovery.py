"""Offline discovery and clustering on built transcripts (text and times only)."""

from __future__ import annotations

from clipora_core.contracts import DiscoveredInterval
from clipora_live_commerce.analyzer import LiveCommerceAnalyzer
from clipora_live_commerce.engine import ClusterGroup, ClusterPlan, EngineUnitError
from clipora_live_commerce.offline import OfflineEngine
from lc_transcripts import build_transcript

ZH_STREAM = [
    ("大家好，欢迎来到直播间，新来的宝宝点个关注。", 4.0, 1.0),
    ("我们稍等一下，人多一点就开始。", 3.0, 3.0),
    ("第一款产品，就是这款保温杯。", 3.0),  # 3
    ("这款保温杯是不锈钢内胆，保温十二个小时。", 5.0),
    ("保温杯容量五百毫升，放包里不占地方。", 5.0),
    ("这款保温杯原价一百九十九，今天只要一百二十九。", 5.0),
    ("三二一，上链接，一号链接赶紧去拍。", 4.0, 2.5),  # 7
    ("好，我喝口水。", 1.5, 2.0),
    ("接下来我们看第二款产品，这款面霜。", 3.5),  # 9
    ("这款面霜非常滋润，秋冬天皮肤干一定要试试。", 5.0),
    ("面霜里面有玻尿酸，敏感肌也可以用。", 5.0),
    ("这款面霜原价二百九十九，今天只要一百九十九。", 5.0),
    ("二号链接已经上了，大家冲。", 3.0, 3.0),  # 13
    ("评论区好多宝宝在问刚才那个保温杯。", 3.5),  # 14
    ("保温杯又补了二十单库存，还是一百二十九，一号链接。", 5.0),
    ("不锈钢的保温杯真的很值。", 3.0, 2.0),  # 16
    ("好了，今天的直播就到这里，谢谢大家，拜拜。", 4.0),
]

EN_STREAM = [
    ("Hey everyone, welcome back to the live stream!", 3.0, 1.0),
    ("If you just joined, hit that follow button.", 3.0, 3.0),
    ("Let's start with our first product, this water bottle.", 4.0),  # 3
    ("This water bottle is double wall stainless steel and keeps drinks cold all day.", 6.0),
    ("The water bottle lid is leak proof and opens with one hand.", 5.0),
    ("The water bottle is usually 49 dollars, today only 29 dollars.", 5.0),
    ("The link is up, 3, 2, 1, go grab it!", 3.0, 4.0),  # 7
    ("Alright, next product is this face cream.", 3.0),  # 8
    ("This face cream is super moisturizing and perfect for dry skin.", 5.0),
    ("The face cream has hyaluronic acid and ceramides for your skin barrier.", 5.0),
    ("The face cream is usually 59 dollars, today only 39 dollars.", 5.0),
    ("Link number two is live, go go go!", 3.0, 2.0),  # 12
    ("Okay, let me grab some water.", 2.0, 3.0),
    ("Lots of you are asking about the water bottle from earlier.", 4.0),  # 14
    ("The water bottle is still 29 dollars, link number one.", 4.0, 2.0),  # 15
    ("That's all for today, thank you so much for watching, bye bye!", 4.0),
]


def spans(intervals: list[DiscoveredInterval]) -> list[tuple[int, int]]:
    return [(i.start_segment_number, i.end_segment_number) for i in intervals]


def test_zh_products_found_and_greetings_fillers_goodbye_left_out(make_ctx, settings_for):
    ctx = make_ctx(build_transcript(ZH_STREAM, "zh"))
    result = LiveCommerceAnalyzer(settings_for().analysis.live_commerce).discover(ctx)
    assert spans(result.intervals) == [(3, 7), (9, 13), (14, 16)]
    titles = [i.title for i in result.intervals]
    assert titles == ["保温杯", "面霜", "保温杯"]
    assert "129" in result.intervals[0].summary
    assert [i.id for i in result.intervals] == [f"semantic-interval-{k:03d}" for k in (1, 2, 3)]
    first = result.intervals[0]
    assert first.start_seconds == ctx.transcript.segments[2].start_seconds
    assert first.end_seconds == ctx.transcript.segments[6].end_seconds
    window = result.debug["windows"][0]
    assert window["planning"]["end_reason"] == "transcript_end"
    assert all(c["status"] == "accepted" for c in window["candidates"])


def test_en_products_found(make_ctx, settings_for):
    ctx = make_ctx(build_transcript(EN_STREAM, "en"))
    result = LiveCommerceAnalyzer(settings_for().analysis.live_commerce).discover(ctx)
    assert spans(result.intervals) == [(3, 7), (8, 12), (14, 15)]
    assert [i.title for i in result.intervals] == ["water bottle", "face cream", "water bottle"]


def test_language_detected_when_transcript_does_not_say(make_ctx, settings_for):
    ctx = make_ctx(build_transcript(ZH_STREAM, None))
    result = LiveCommerceAnalyzer(settings_for().analysis.live_commerce).discover(ctx)
    assert result.debug["language"] == "zh"
    assert len(result.intervals) == 3


def test_revisited_product_becomes_one_item_with_two_windows(make_ctx, settings_for):
    for stream, lang, first_title in (
        (ZH_STREAM, "zh", "保温杯"),
        (EN_STREAM, "en", "water bottle"),
    ):
        ctx = make_ctx(build_transcript(stream, lang))
        analyzer = LiveCommerceAnalyzer(settings_for().analysis.live_commerce)
        result = analyzer.cluster(ctx, analyzer.discover(ctx).intervals)
        items = result.items
        assert [i.id for i in items] == ["semantic-item-001", "semantic-item-002"]
        assert items[0].title == first_title
        assert len(items[0].windows) == 2 and len(items[1].windows) == 1
        assert items[0].metadata["interval_ids"] == [
            "semantic-interval-001",
            "semantic-interval-003",
        ]
        assert items[0].total_duration_seconds == sum(w.duration for w in items[0].windows)
        assert (
            items[0].windows[0].end_seconds
            < items[1].windows[0].start_seconds
            < items[0].windows[1].start_seconds
        )
        assert [g["status"] for g in result.debug["groups"]] == ["accepted", "accepted"]


class WindowedOffline(OfflineEngine):
    """The offline engine asked window by window, as the LLM engine is."""

    window_seconds = 840.0


def test_small_windows_keep_the_same_products(make_ctx, settings_for):
    """Windows sized for a tiny model context still cover every segment once, cut at product
    introductions, and find the same products."""
    stream = ZH_STREAM * 3
    ctx = make_ctx(
        build_transcript(stream, "zh"),
        **{
            "analysis.live_commerce.semantic_window_target_seconds": 40,
            "analysis.live_commerce.semantic_window_max_seconds": 60,
        },
    )
    result = LiveCommerceAnalyzer(
        ctx.settings.analysis.live_commerce, engine=WindowedOffline()
    ).discover(ctx)
    windows = result.debug["windows"]
    assert len(windows) > 3
    covered = [
        n for w in windows for n in range(w["start_segment_number"], w["end_segment_number"] + 1)
    ]
    assert covered == list(range(1, len(stream) + 1))
    assert all(w["end_seconds"] - w["start_seconds"] <= 60 for w in windows)
    assert {i.title for i in result.intervals} == {"保温杯", "面霜"}


def test_empty_transcript_gives_no_intervals(make_ctx, settings_for):
    ctx = make_ctx(build_transcript([], "zh"))
    analyzer = LiveCommerceAnalyzer(settings_for().analysis.live_commerce)
    assert analyzer.discover(ctx).intervals == []
    assert analyzer.cluster(ctx, []).items == []


class FailingSecondWindow(WindowedOffline):
    """An engine whose second window cannot be decided (as an LLM answer that stays invalid)."""

    def discover_window(self, request):
        if request.window_index == 2:
            raise EngineUnitError("answer failed validation twice: intervals[0].title missing")
        return super().discover_window(request)


def test_a_failed_window_is_listed_and_the_others_go_on(make_ctx):
    ctx = make_ctx(
        build_transcript(ZH_STREAM * 2, "zh"),
        **{
            "analysis.live_commerce.semantic_window_target_seconds": 40,
            "analysis.live_commerce.semantic_window_max_seconds": 60,
        },
    )
    result = LiveCommerceAnalyzer(
        ctx.settings.analysis.live_commerce, engine=FailingSecondWindow()
    ).discover(ctx)
    failed = [d for d in ctx.dropped if d.kind == "failed"]
    assert [(d.unit, d.id) for d in failed] == [("window", "window-002")]
    assert "failed validation" in failed[0].reason
    assert result.debug["windows"][1]["validation_error"]
    assert len(result.intervals) >= 3


class BadGroups(OfflineEngine):
    def cluster(self, request):
        ids = [i.id for i in request.intervals]
        return ClusterPlan(
            groups=[
                ClusterGroup(interval_ids=[ids[0], ids[2]], title="保温杯", summary="s"),
                ClusterGroup(interval_ids=["semantic-interval-999"], title="bogus", summary="s"),
                ClusterGroup(interval_ids=[ids[0]], title="again", summary="s"),
            ]
        )


def test_bad_cluster_groups_are_listed_and_no_interval_is_lost(make_ctx):
    ctx = make_ctx(build_transcript(ZH_STREAM, "zh"))
    analyzer = LiveCommerceAnalyzer(ctx.settings.analysis.live_commerce, engine=BadGroups())
    result = analyzer.cluster(ctx, analyzer.discover(ctx).intervals)
    reasons = sorted(d.reason.split(" ")[0] for d in ctx.dropped)
    assert reasons == ["interval_reused_across_groups", "unknown_interval_id"]
    # The face cream interval was in no group: it is still an item, in time order.
    assert [i.title for i in result.items] == ["保温杯", "面霜"]
    assert [len(i.windows) for i in result.items] == [2, 1]
