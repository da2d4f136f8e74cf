"""The live_commerce analyzer end to end on the llm engine (built the way the runner builds it:
plugin host → config → ``factory(settings)``), against a real HTTP server on 127.0.0.1 whose
answers fail for some units: those units are listed as failed and every other one completes."""

from __future__ import annotations

from clipora_core.capabilities import AnalyzerContext
from clipora_core.config import load_config
from clipora_core.contracts import MediaProbe
from clipora_core.plugins import get_host
from clipora_core.progress import StageProgress
from lc_transcripts import build_transcript
from llm_server import Reply, ScriptedLLM, smart_answer

from clipora_core import Kind

STREAM = [
    ("Hi everyone, welcome to the stream tonight.", 3.0, 1.0),
    ("First up is this blender with a thousand watt motor.", 5.0),  # 2
    ("The blender crushes ice in ten seconds, look at that.", 5.0),
    ("The blender jar is glass and goes in the dishwasher.", 5.0),
    ("The blender is usually 120 dollars, today only 79 dollars.", 5.0),
    ("Link one is up for the blender, 3, 2, 1!", 3.0, 3.0),  # 6
    ("Next product is this electric kettle.", 4.0),  # 7: window 2 starts
    ("The kettle boils a full liter in three minutes.", 5.0),
    ("The kettle keeps water warm for two hours.", 5.0),
    ("The kettle is only 35 dollars today.", 4.0),
    ("Link two is live for the kettle, go go go!", 3.0, 3.0),  # 11
    ("Next product is this toaster.", 3.0),  # 12: window 3 starts
    ("The toaster has four slots and a bagel setting.", 5.0),
    ("The toaster crumb tray slides out for cleaning.", 5.0),
    ("The toaster is 45 dollars, today only 29 dollars.", 5.0),
    ("Link three is up for the toaster, grab it!", 3.0, 3.0),  # 16
    ("Many of you asked about the blender from earlier.", 4.0),  # 17
    ("The blender is still 79 dollars on link one.", 4.0, 2.0),  # 18
    ("That's all for tonight, thanks for watching!", 3.0),
]
PRODUCTS = {"blender": "Blender", "kettle": "Electric kettle", "toaster": "Toaster"}

ZH_STREAM = [
    ("大家好，欢迎来到直播间。", 3.0, 1.0),
    ("第一款是这个破壁机，一千瓦的电机。", 5.0),
    ("破壁机十秒钟就能打碎冰块。", 5.0),
    ("破壁机原价一百二，今天只要七十九。", 5.0),
    ("一号链接，三二一，上链接！", 3.0, 3.0),
    ("接下来我们看第二款，这个电水壶。", 4.0),
    ("电水壶三分钟烧开一升水。", 5.0),
    ("电水壶今天只要三十五块。", 4.0),
    ("二号链接已经上了，大家冲。", 3.0, 3.0),
    ("接下来看第三款，这个面包机。", 3.0),
    ("面包机有四个槽，还能烤贝果。", 5.0),
    ("面包机今天二十九块，三号链接。", 5.0, 2.0),
    ("好了，今天就到这里，谢谢大家。", 3.0),
]
ZH_PRODUCTS = {"破壁机": "破壁机", "电水壶": "电水壶", "面包机": "面包机"}


def analyzer_and_ctx(transcript, **over):
    host = get_host()
    overrides = {
        "analysis.live_commerce.engine": "llm",
        "analysis.live_commerce.semantic_window_target_seconds": 20,
        "analysis.live_commerce.semantic_window_max_seconds": 40,
        "analysis.live_commerce.provider.api_key": "sk-e2e",
        "analysis.live_commerce.provider.backoff_base_seconds": 0.01,
        "analysis.live_commerce.provider.timeout": 5,
        **over,
    }
    settings = load_config(
        environ={}, overrides=overrides, sections=host.config_sections()
    ).settings
    analyzer = host.create(Kind.VIDEO_TYPE, "live_commerce", settings)
    ctx = AnalyzerContext(
        job=None,
        analysis=settings.analysis,
        progress=StageProgress(None, "test"),
        transcript=transcript,
        probe=MediaProbe(duration_seconds=transcript.duration_seconds),
    )
    return analyzer, ctx


def run_all(analyzer, ctx):
    discovered = analyzer.discover(ctx)
    clustered = analyzer.cluster(ctx, discovered.intervals)
    plans = {item.id: analyzer.analyze_item(ctx, item) for item in clustered.items}
    analyzer.close()
    return discovered, clustered, plans


def test_failed_window_and_failed_item_are_listed_and_the_rest_completes():
    def script(rec, before):
        if rec.unit == "window-002":
            return Reply(
                '{"intervals": [{"start_segment_number": 7, "end_segment_number": '
            )  # cut off
        answer = smart_answer(rec, PRODUCTS)
        if rec.stage == "plan" and "Toaster" in rec.messages[1]["content"]:
            for v in answer["variants"]:
                v["body"][0]["start_segment_id"] = "seg-9999"  # wrong even after the repair
        return Reply(answer)

    transcript = build_transcript(STREAM, "en")
    with ScriptedLLM(script) as server:
        analyzer, ctx = analyzer_and_ctx(
            transcript, **{"analysis.live_commerce.provider.base_url": server.base_url}
        )
        discovered, clustered, plans = run_all(analyzer, ctx)

    # Discovery: windows 1 and 3 answered; window 2 (the kettle) failed after one repair.
    assert [
        (i.start_segment_number, i.end_segment_number, i.title) for i in discovered.intervals
    ] == [(2, 6, "Blender"), (12, 16, "Toaster"), (17, 18, "Blender")]
    window2 = [r for r in server.requests if r.unit == "window-002"]
    assert len(window2) == 2 and window2[1].is_repair
    assert discovered.debug["windows"][1]["validation_error"].startswith(
        "invalid answer from the model"
    )

    # Cluster: the blender revisit joins the first blender interval.
    assert [(i.title, len(i.windows)) for i in clustered.items] == [("Blender", 2), ("Toaster", 1)]
    blender, toaster = clustered.items

    # Analyze: the blender item has two variants inside its windows; the toaster item failed.
    segs = plans[blender.id]
    assert [s.variant for s in segs] == ["1", "2"]
    for s in segs:
        assert s.metadata["engine"] == "llm"
        assert s.metadata["planned_windows"][0]["role"] == "hook"
        # Clips planned by the model are scored as the offline engine's are.
        assert s.score is not None and s.score.parts["product_named"].value > 0
        for w in s.windows:
            assert any(
                x.start_seconds - 1e-6 <= w.start_seconds and w.end_seconds <= x.end_seconds + 1e-6
                for x in blender.windows
            )
    assert plans[toaster.id] == []
    toaster_requests = server.for_unit(toaster.id)
    assert (
        len(toaster_requests) == 2
        and "unknown segment ids ['seg-9999']" in toaster_requests[1].last_user
    )

    failed = {(d.stage, d.unit, d.id): d.reason for d in ctx.dropped if d.kind == "failed"}
    assert set(failed) == {
        ("semantic_discover", "window", "window-002"),
        ("analyze", "item", toaster.id),
    }
    assert "not valid JSON" in failed[("semantic_discover", "window", "window-002")]
    dropped_variants = [d for d in ctx.dropped if d.unit == "variant"]
    assert dropped_variants and all("seg-9999" in d.reason for d in dropped_variants)


def test_json_schema_fallback_happens_once_for_the_whole_run():
    def script(rec, before):
        if rec.format_type == "json_schema":
            return Reply(
                status=400,
                body={
                    "error": {
                        "message": "response_format json_schema is not supported by this server",
                        "code": None,
                    }
                },
            )
        return Reply(smart_answer(rec, PRODUCTS))

    transcript = build_transcript(STREAM, "en")
    with ScriptedLLM(script) as server:
        analyzer, ctx = analyzer_and_ctx(
            transcript, **{"analysis.live_commerce.provider.base_url": server.base_url}
        )
        discovered, clustered, plans = run_all(analyzer, ctx)
    formats = [r.format_type for r in server.requests]
    # 3 windows + 1 cluster + 3 items, the first retried once without the schema.
    assert formats.count("json_schema") == 1 and formats[0] == "json_schema"
    assert formats[1:] == ["json_object"] * 7
    assert [i.title for i in clustered.items] == ["Blender", "Electric kettle", "Toaster"]
    assert all(len(p) == 2 for p in plans.values())
    assert ctx.dropped == []


def test_chinese_streamed_concurrent_run_with_rate_limits():
    def script(rec, before):
        if before == 0 and rec.stage == "discover":
            return Reply(
                status=429,
                headers={"retry-after-ms": "100"},
                body={"error": {"message": "too many requests"}},
            )
        return Reply(smart_answer(rec, ZH_PRODUCTS))

    transcript = build_transcript(ZH_STREAM, "zh")
    with ScriptedLLM(script) as server:
        analyzer, ctx = analyzer_and_ctx(
            transcript,
            **{
                "analysis.live_commerce.provider.base_url": server.base_url,
                "analysis.live_commerce.provider.stream": True,
                "analysis.live_commerce.concurrency": 3,
                "analysis.live_commerce.semantic_window_target_seconds": 15,
            },
        )
        discovered, clustered, plans = run_all(analyzer, ctx)
    windows = sorted({r.unit for r in server.requests if r.stage == "discover"})
    assert len(windows) >= 2
    assert all(len(server.for_unit(w)) == 2 for w in windows)  # each one 429, then the answer
    assert all("直播" in r.system for r in server.requests)
    assert [i.title for i in clustered.items] == ["破壁机", "电水壶", "面包机"]
    assert all(len(p) == 2 for p in plans.values())
    assert ctx.dropped == []
