"""The llm engine against a real OpenAI-compatible HTTP server on 127.0.0.1 (``llm_server``):
request shape, streaming, tolerant parsing, repairs, retries, timeouts, the json_schema fallback
and the errors a user sees."""

from __future__ import annotations

import json
import socket
import time

import pytest
from clipora_core.config import load_config
from clipora_core.errors import StageError
from clipora_core.plugins import get_host
from clipora_live_commerce.analyzer import transcript_lines
from clipora_live_commerce.engine import (
    ClusterRequest,
    DiscoverWindowRequest,
    EngineUnitError,
    IntervalInfo,
    PlanItemRequest,
)
from clipora_live_commerce.llm import LLMEngine
from lc_transcripts import build_transcript
from llm_server import Reply, ScriptedLLM, smart_answer
from test_discovery import EN_STREAM, ZH_STREAM

KEY = "sk-test-SECRET-0123456789"
PRODUCTS = {
    "water bottle": "Water bottle",
    "face cream": "Face cream",
    "保温杯": "保温杯",
    "面霜": "面霜",
}


def llm_settings(base_url: str, **over: object) -> object:
    overrides = {
        "analysis.live_commerce.engine": "llm",
        "analysis.live_commerce.provider.base_url": base_url,
        "analysis.live_commerce.provider.api_key": KEY,
        "analysis.live_commerce.provider.backoff_base_seconds": 0.01,
        "analysis.live_commerce.provider.timeout": 5,
        **over,
    }
    settings = load_config(
        environ={}, overrides=overrides, sections=get_host().config_sections()
    ).settings
    return settings.analysis.live_commerce  # what the analyzer hands its engine


def window(stream=EN_STREAM, lang="en", index=1, count=1) -> DiscoverWindowRequest:
    lines = transcript_lines(build_transcript(stream, lang))
    return DiscoverWindowRequest(window_index=index, window_count=count, lines=lines, language=lang)


def item_request(stream=EN_STREAM, lang="en", first=3, last=7) -> PlanItemRequest:
    lines = transcript_lines(build_transcript(stream, lang))[first - 1 : last]
    return PlanItemRequest(
        item_id="semantic-item-001",
        title="Water bottle",
        summary="Steel bottle.",
        lines=lines,
        window_line_ids=[[ln.id for ln in lines]],
        language=lang,
        variants=2,
        hook_max_seconds=15.0,
        body_target_seconds=45.0,
    )


def smart(rec, before):
    return Reply(smart_answer(rec, PRODUCTS))


GOOD_EN = {
    "intervals": [
        {
            "start_segment_number": 3,
            "end_segment_number": 7,
            "title": "Water bottle",
            "summary": "Steel bottle, 29 dollars.",
            "keywords": ["water bottle", "29 dollars"],
        },
        {
            "start_segment_number": 8,
            "end_segment_number": 12,
            "title": "Face cream",
            "summary": "Moisturizing cream.",
            "keywords": [],
        },
    ]
}


def test_request_shape_key_language_and_valid_answer():
    with ScriptedLLM(lambda rec, n: Reply(GOOD_EN)) as server:
        engine = LLMEngine(llm_settings(server.base_url))
        result = engine.discover_window(window())
        engine.close()
    assert [(c.start_segment_number, c.end_segment_number, c.title) for c in result.candidates] == [
        (3, 7, "Water bottle"),
        (8, 12, "Face cream"),
    ]
    [rec] = server.requests
    assert rec.headers["authorization"] == f"Bearer {KEY}"
    body = rec.body
    assert body["model"] == "gpt-4.1-mini" and body["temperature"] == 0.2 and "stream" not in body
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["name"] == "ProductIntervals"
    assert fmt["json_schema"]["schema"]["required"] == ["intervals"]
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "livestream" in rec.system  # English prompt for an English transcript
    assert "3. [" in rec.last_user and "segments 1 to 16" in rec.last_user
    assert result.debug["rounds"][0]["http_requests"] == 1
    assert result.debug["rounds"][0]["usage"]["prompt_tokens"] == 100
    assert KEY not in json.dumps(result.debug)


def test_chinese_transcript_gets_chinese_prompts():
    with ScriptedLLM(smart) as server:
        engine = LLMEngine(llm_settings(server.base_url))
        result = engine.discover_window(window(ZH_STREAM, "zh"))
    rec = server.requests[0]
    assert "直播带货" in rec.system and "转写第 1/1 段" in rec.last_user
    assert {c.title for c in result.candidates} == {"保温杯", "面霜"}


def test_streaming_answer_is_assembled_from_sse_chunks():
    with ScriptedLLM(lambda rec, n: Reply(GOOD_EN)) as server:
        engine = LLMEngine(
            llm_settings(server.base_url, **{"analysis.live_commerce.provider.stream": True})
        )
        result = engine.discover_window(window())
    assert server.requests[0].body["stream"] is True
    assert [c.title for c in result.candidates] == ["Water bottle", "Face cream"]
    assert result.debug["rounds"][0]["usage"]["completion_tokens"] > 10  # the last chunk's usage


def test_fenced_and_prose_wrapped_json_is_accepted_without_a_repair():
    wrapped = (
        "Sure! Here are the intervals:\n```json\n" + json.dumps(GOOD_EN) + "\n```\nHope this helps."
    )
    with ScriptedLLM(lambda rec, n: Reply(f"<think>let me see {{</think>{wrapped}")) as server:
        result = LLMEngine(llm_settings(server.base_url)).discover_window(window())
    assert len(server.requests) == 1
    assert len(result.candidates) == 2


def test_malformed_json_is_repaired_with_the_error_fed_back():
    def script(rec, before):
        return Reply('{"intervals": [{"start_segment_number": 3,, }' if before == 0 else GOOD_EN)

    with ScriptedLLM(script) as server:
        result = LLMEngine(llm_settings(server.base_url)).discover_window(window())
    first, second = server.requests
    assert second.is_repair
    assert [m["role"] for m in second.messages] == ["system", "user", "assistant", "user"]
    assert second.messages[2]["content"].startswith('{"intervals"')  # its own answer echoed back
    assert "not valid JSON" in second.last_user
    assert len(result.candidates) == 2
    assert [r["problems"] != [] for r in result.debug["rounds"]] == [True, False]


def test_malformed_twice_fails_only_that_window():
    with ScriptedLLM(lambda rec, n: Reply("I could not find any products, sorry.")) as server:
        engine = LLMEngine(llm_settings(server.base_url))
        with pytest.raises(EngineUnitError) as info:
            engine.discover_window(window())
    assert len(server.requests) == 2
    assert "after a repair attempt" in info.value.reason and "no JSON object" in info.value.reason
    assert info.value.debug["answer_excerpt"].startswith("I could not")


def test_missing_list_is_an_error_not_an_empty_result():
    with ScriptedLLM(lambda rec, n: Reply({} if n == 0 else {"intervals": []})) as server:
        result = LLMEngine(llm_settings(server.base_url)).discover_window(window())
    assert "intervals: Field required" in server.requests[1].last_user
    assert result.candidates == []


def test_overlapping_intervals_are_fed_back_and_fixed():
    bad = {
        "intervals": [
            {
                "start_segment_number": 3,
                "end_segment_number": 9,
                "title": "Water bottle",
                "summary": "",
                "keywords": [],
            },
            {
                "start_segment_number": 8,
                "end_segment_number": 12,
                "title": "Face cream",
                "summary": "",
                "keywords": [],
            },
        ]
    }
    with ScriptedLLM(lambda rec, n: Reply(bad if n == 0 else GOOD_EN)) as server:
        result = LLMEngine(llm_settings(server.base_url)).discover_window(window())
    assert (
        "interval 2 (8-12): overlaps or precedes the previous interval"
        in server.requests[1].last_user
    )
    assert [c.end_segment_number for c in result.candidates] == [7, 12]


def test_problems_left_after_the_repair_are_returned_for_the_analyzer_to_drop():
    bad = {
        "intervals": [
            {
                "start_segment_number": 3,
                "end_segment_number": 7,
                "title": "Water bottle",
                "summary": "",
                "keywords": [],
            },
            {
                "start_segment_number": 14,
                "end_segment_number": 99,
                "title": "Face cream",
                "summary": "",
                "keywords": [],
            },
        ]
    }
    with ScriptedLLM(lambda rec, n: Reply(bad)) as server:
        result = LLMEngine(llm_settings(server.base_url)).discover_window(window())
    assert len(server.requests) == 2
    assert "ends after the window" in result.debug["unresolved_problems"][0]
    assert len(result.candidates) == 2  # the good one survives; the analyzer drops the other


def test_unknown_segment_ids_in_a_plan_are_repaired():
    def script(rec, before):
        answer = smart_answer(rec, PRODUCTS)
        if before == 0:
            answer["variants"][0]["body"][0]["end_segment_id"] = "seg-0999"
        return Reply(answer)

    with ScriptedLLM(script) as server:
        plan = LLMEngine(llm_settings(server.base_url)).plan_item(item_request())
    assert len(server.requests) == 2
    assert "variant 1 body 1: unknown segment ids ['seg-0999']" in server.requests[1].last_user
    assert server.requests[0].body["response_format"]["json_schema"]["name"] == "ClipPlan"
    assert [v.variant for v in plan.variants] == ["1", "2"]
    assert plan.variants[0].hook.start_segment_id == "seg-0003"


def test_cluster_request_lists_intervals_and_groups_revisits():
    lines = transcript_lines(build_transcript(EN_STREAM, "en"))

    def info(i, a, b, title):
        return IntervalInfo(
            id=f"semantic-interval-{i:03d}",
            start_segment_number=a,
            end_segment_number=b,
            start_seconds=lines[a - 1].start_seconds,
            end_seconds=lines[b - 1].end_seconds,
            title=title,
            summary="",
            lines=lines[a - 1 : b],
            keywords=["29 dollars"],
        )

    request = ClusterRequest(
        intervals=[
            info(1, 3, 7, "Water bottle"),
            info(2, 8, 12, "Face cream"),
            info(3, 14, 15, "Water bottle"),
        ],
        language="en",
    )
    with ScriptedLLM(smart) as server:
        engine = LLMEngine(llm_settings(server.base_url))
        plan = engine.cluster(request)
        single = engine.cluster(ClusterRequest(intervals=request.intervals[:1], language="en"))
    assert [g.interval_ids for g in plan.groups] == [
        ["semantic-interval-001", "semantic-interval-003"],
        ["semantic-interval-002"],
    ]
    assert len(server.requests) == 1  # one interval needs no request
    assert "keywords: 29 dollars" in server.requests[0].last_user
    assert [g.interval_ids for g in single.groups] == [["semantic-interval-001"]]


def test_429_waits_for_retry_after_then_succeeds():
    def script(rec, before):
        if before == 0:
            return Reply(
                status=429,
                headers={"Retry-After": "1"},
                body={"error": {"message": "Rate limit reached", "type": "requests"}},
            )
        return Reply(GOOD_EN)

    with ScriptedLLM(script) as server:
        result = LLMEngine(llm_settings(server.base_url)).discover_window(window())
    first, second = server.requests
    assert second.at - first.at >= 0.95  # Retry-After honoured (the backoff base is 0.01 s)
    assert result.debug["rounds"][0]["http_requests"] == 2
    assert result.debug["rounds"][0]["retries"][0]["status"] == 429


def test_5xx_are_retried_with_backoff_then_the_unit_fails():
    def script(rec, before):
        return Reply(
            status=500 if before < 2 else 503, body={"error": {"message": "upstream overloaded"}}
        )

    with ScriptedLLM(script) as server:
        engine = LLMEngine(
            llm_settings(
                server.base_url,
                **{
                    "analysis.live_commerce.provider.max_retries": 3,
                    "analysis.live_commerce.provider.backoff_base_seconds": 0.05,
                },
            )
        )
        with pytest.raises(EngineUnitError) as info:
            engine.discover_window(window())
    assert len(server.requests) == 4  # 1 + max_retries
    gaps = [b.at - a.at for a, b in zip(server.requests, server.requests[1:], strict=False)]
    assert gaps[2] > gaps[0]  # exponential: 0.05, 0.1, 0.2 s (half-jittered)
    assert "HTTP 503" in info.value.reason and "gave up after 4 attempts" in info.value.reason


def test_500s_then_success():
    def script(rec, before):
        return Reply(status=502, body={"error": "bad gateway"}) if before < 2 else Reply(GOOD_EN)

    with ScriptedLLM(script) as server:
        result = LLMEngine(llm_settings(server.base_url)).discover_window(window())
    assert len(server.requests) == 3 and len(result.candidates) == 2


def test_an_answer_slower_than_the_timeout_is_retried():
    def script(rec, before):
        return Reply(GOOD_EN, delay=1.5 if before == 0 else 0.0)

    with ScriptedLLM(script) as server:
        t = time.monotonic()
        result = LLMEngine(
            llm_settings(server.base_url, **{"analysis.live_commerce.provider.timeout": 0.5})
        ).discover_window(window())
        elapsed = time.monotonic() - t
    assert len(server.requests) == 2 and len(result.candidates) == 2
    assert elapsed < 1.4  # the slow answer was abandoned at the timeout, not awaited


def test_always_too_slow_fails_the_unit_with_the_timeout_named():
    with ScriptedLLM(lambda rec, n: Reply(GOOD_EN, delay=1.0)) as server:
        engine = LLMEngine(
            llm_settings(
                server.base_url,
                **{
                    "analysis.live_commerce.provider.timeout": 0.3,
                    "analysis.live_commerce.provider.max_retries": 1,
                },
            )
        )
        with pytest.raises(
            EngineUnitError,
            match=r"within analysis.live_commerce.provider.timeout=0.3 s \(gave up after 2 attempts\)",
        ):
            engine.discover_window(window())


def test_a_trickling_stream_is_cut_at_the_timeout():
    with ScriptedLLM(lambda rec, n: Reply(GOOD_EN, chunk_delay=0.02)) as server:
        engine = LLMEngine(
            llm_settings(
                server.base_url,
                **{
                    "analysis.live_commerce.provider.stream": True,
                    "analysis.live_commerce.provider.timeout": 0.5,
                    "analysis.live_commerce.provider.max_retries": 0,
                },
            )
        )
        with pytest.raises(EngineUnitError, match="analysis.live_commerce.provider.timeout=0.5"):
            engine.discover_window(window())


def test_json_schema_rejection_falls_back_to_json_object_once_per_run():
    def script(rec, before):
        if rec.format_type == "json_schema":
            return Reply(
                status=400,
                body={
                    "error": {
                        "message": "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
                        "type": "invalid_request_error",
                        "param": "response_format",
                    }
                },
            )
        return Reply(smart_answer(rec, PRODUCTS))

    with ScriptedLLM(script) as server:
        engine = LLMEngine(llm_settings(server.base_url))
        for i in (1, 2, 3):
            engine.discover_window(window(index=i, count=3))
        engine.plan_item(item_request())
    formats = [r.format_type for r in server.requests]
    assert formats == ["json_schema", "json_object", "json_object", "json_object", "json_object"]
    assert engine.client.fallbacks == [
        {"from": "json_schema", "to": "json_object", "reason": engine.client.fallbacks[0]["reason"]}
    ]
    # Without the server-side schema the system prompt carries it.
    assert '"start_segment_number"' in server.requests[1].system
    assert "JSON Schema" in server.requests[1].system


def test_configured_json_object_and_none_modes():
    with ScriptedLLM(smart) as server:
        LLMEngine(
            llm_settings(
                server.base_url,
                **{
                    "analysis.live_commerce.provider.structured_output": "none",
                    "analysis.live_commerce.provider.temperature": None,
                },
            )
        ).discover_window(window())
    body = server.requests[0].body
    assert "response_format" not in body and "temperature" not in body


def test_bad_key_is_a_stage_error_naming_the_setting_and_not_retried():
    reply = Reply(
        status=401,
        body={
            "error": {"message": f"Incorrect API key provided: {KEY}.", "code": "invalid_api_key"}
        },
    )
    with ScriptedLLM(lambda rec, n: reply) as server:
        engine = LLMEngine(llm_settings(server.base_url))
        with pytest.raises(StageError) as info:
            engine.discover_window(window())
    assert len(server.requests) == 1
    line = info.value.one_line()
    assert "HTTP 401" in line and "analysis.live_commerce.provider.api_key" in line
    assert KEY not in line and "***" in line


def test_connection_refused_names_provider_base_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    engine = LLMEngine(
        llm_settings(
            f"http://127.0.0.1:{port}/v1", **{"analysis.live_commerce.provider.max_retries": 1}
        )
    )
    with pytest.raises(StageError) as info:
        engine.discover_window(window())
    line = info.value.one_line()
    assert (
        f"analysis.live_commerce.provider.base_url=http://127.0.0.1:{port}/v1" in line
        and "connection refused" in line
    )


def test_unknown_model_404_is_a_stage_error():
    reply = Reply(status=404, body={"error": {"message": "The model `gpt-9` does not exist"}})
    with ScriptedLLM(lambda rec, n: reply) as server, pytest.raises(StageError) as info:
        LLMEngine(
            llm_settings(server.base_url, **{"analysis.live_commerce.provider.model": "gpt-9"})
        ).discover_window(window())
    assert len(server.requests) == 1
    assert (
        "HTTP 404" in info.value.one_line()
        and "analysis.live_commerce.provider.model=gpt-9" in info.value.one_line()
    )


def test_prompt_overrides_are_appended_to_the_right_system_prompt():
    with ScriptedLLM(smart) as server:
        engine = LLMEngine(
            llm_settings(
                server.base_url,
                **{
                    "analysis.live_commerce.prompt_overrides.semantic.system": "Treat bundles as one product.",
                    "analysis.live_commerce.prompt_overrides.analyze.system": "Never start with a price.",
                },
            )
        )
        engine.discover_window(window())
        engine.plan_item(item_request())
    discover, plan = server.requests
    assert discover.system.endswith(
        "## Additional user instructions\n\n"
        "Apply the following only where it agrees with the instructions above "
        "and the output format.\n\nTreat bundles as one product."
    )
    assert "Never start with a price." in plan.system and "bundles" not in plan.system


def test_empty_key_sends_no_authorization_header():
    with ScriptedLLM(smart) as server:
        LLMEngine(
            llm_settings(server.base_url, **{"analysis.live_commerce.provider.api_key": ""})
        ).discover_window(window())
    assert "authorization" not in server.requests[0].headers


def test_a_garbled_repair_keeps_the_first_answer_that_parsed():
    bad = {
        "intervals": [
            {
                "start_segment_number": 3,
                "end_segment_number": 7,
                "title": "Water bottle",
                "summary": "",
                "keywords": [],
            },
            {
                "start_segment_number": 5,
                "end_segment_number": 12,
                "title": "Face cream",
                "summary": "",
                "keywords": [],
            },
        ]
    }
    with ScriptedLLM(lambda rec, n: Reply(bad if n == 0 else "```json\n{oops")) as server:
        result = LLMEngine(llm_settings(server.base_url)).discover_window(window())
    assert len(server.requests) == 2
    assert [c.title for c in result.candidates] == ["Water bottle", "Face cream"]
    assert "overlaps or precedes" in result.debug["unresolved_problems"][0]
