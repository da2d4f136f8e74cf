"""``LLMEngine``: the three engine decisions asked of an OpenAI-compatible chat model.

Each decision is one chat exchange. The answer is parsed (tolerantly) into the stage's pydantic
model and checked with the analyzer's own ``validate_*``; if anything is wrong the model gets
one more turn with the problems listed. An answer that still cannot be parsed fails that unit
(``EngineUnitError``); one that parses but still breaks a rule is returned as is, so the analyzer
keeps its good parts and lists each bad part it drops. Provider failures that no other unit
would survive (a refused key, nothing listening at ``provider.base_url``, an unknown model)
fail the stage with a one-line message naming the setting to fix.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from clipora_core.api import StageError
from pydantic import BaseModel, ValidationError

from clipora_live_commerce.engine import (
    ClusterGroup,
    ClusterPlan,
    ClusterRequest,
    DiscoverWindowRequest,
    EngineUnitError,
    ItemPlan,
    Line,
    PlanItemRequest,
    WindowDiscovery,
    validate_cluster_groups,
    validate_item_plan,
    validate_window_candidates,
)
from clipora_live_commerce.llm.client import ChatAnswer, ChatClient, ProviderError
from clipora_live_commerce.llm.jsontext import AnswerParseError, extract_json_object
from clipora_live_commerce.llm.prompts import render_prompt, system_prompt
from clipora_live_commerce.llm.schemas import (
    CLUSTER_SCHEMA,
    CLUSTER_SCHEMA_NAME,
    DISCOVER_SCHEMA,
    DISCOVER_SCHEMA_NAME,
    PLAN_SCHEMA,
    PLAN_SCHEMA_NAME,
    ClusterAnswer,
    DiscoverAnswer,
    PlanAnswer,
)
from clipora_live_commerce.settings import LiveCommerceSettings

M = TypeVar("M", bound=BaseModel)
MAX_PROBLEMS_SHOWN = 12
MAX_ECHO_CHARS = 20000  # a runaway answer is cut before it is sent back for repair


class LLMEngine:
    name = "llm"
    window_seconds: float | None = 840.0  # one request: the analyzer's window settings apply

    def __init__(self, options: LiveCommerceSettings) -> None:
        provider = options.provider
        overrides = options.prompt_overrides
        self._overrides = {
            "discover": overrides.semantic.system,
            "cluster": overrides.semantic.cluster_system,
            "plan": overrides.analyze.system,
        }
        self.model = provider.model
        self.client = ChatClient(provider)
        self._usage_lock = threading.Lock()
        self.usage: dict[str, int] = {"requests": 0, "prompt_tokens": 0, "completion_tokens": 0}

    def close(self) -> None:
        self.client.close()

    # --- the three decisions --------------------------------------------------------------------

    def discover_window(self, request: DiscoverWindowRequest) -> WindowDiscovery:
        lang = request.language
        none = "(none)" if lang == "en" else "（无）"
        user = render_prompt(
            lang,
            "discover_user",
            window_index=request.window_index,
            window_count=request.window_count,
            start_number=request.start_number,
            end_number=request.end_number,
            start_seconds=request.start_seconds,
            end_seconds=request.end_seconds,
            context_before="\n".join(ln.render() for ln in request.context_before) or none,
            transcript="\n".join(ln.render() for ln in request.lines),
            context_after="\n".join(ln.render() for ln in request.context_after) or none,
            products=_products_text(request.products, lang),
        )
        answer, debug = self._ask(
            unit=f"window-{request.window_index:03d}",
            stage="discover",
            language=lang,
            user=user,
            schema_name=DISCOVER_SCHEMA_NAME,
            schema=DISCOVER_SCHEMA,
            model=DiscoverAnswer,
            progress=request.progress,
            check=lambda a: validate_window_candidates(request, a.intervals),
        )
        return WindowDiscovery(candidates=answer.intervals, debug=debug)

    def cluster(self, request: ClusterRequest) -> ClusterPlan:
        infos = request.intervals
        if len(infos) <= 1:  # nothing to group: save the request
            groups = [
                ClusterGroup(interval_ids=[i.id], title=i.title, summary=i.summary) for i in infos
            ]
            return ClusterPlan(
                groups=groups, debug={"engine": self.name, "request": "skipped: one interval"}
            )
        lang = request.language
        blocks = []
        for info in infos:
            excerpt = " ".join(ln.text for ln in info.lines)
            if len(excerpt) > 240:
                excerpt = excerpt[:240] + "…"
            block = (
                f"- id: {info.id}; segments: {info.start_segment_number}-{info.end_segment_number}; "
                f"time: {info.start_seconds:.1f}-{info.end_seconds:.1f} s; title: {info.title}\n"
                f"  summary: {info.summary}"
            )
            if info.keywords:
                block += f"\n  keywords: {', '.join(info.keywords[:10])}"
            block += f"\n  excerpt: {excerpt}"
            blocks.append(block)
        user = render_prompt(
            lang,
            "cluster_user",
            interval_count=len(infos),
            intervals="\n".join(blocks),
            products=_products_text(request.products, lang),
        )
        answer, debug = self._ask(
            unit="cluster",
            stage="cluster",
            language=lang,
            user=user,
            schema_name=CLUSTER_SCHEMA_NAME,
            schema=CLUSTER_SCHEMA,
            model=ClusterAnswer,
            progress=request.progress,
            check=lambda a: validate_cluster_groups(request, a.groups),
        )
        return ClusterPlan(groups=answer.groups, debug=debug)

    def plan_item(self, request: PlanItemRequest) -> ItemPlan:
        lang = request.language
        transcript = _windows_text(request.lines, request.window_line_ids, lang)
        user = render_prompt(
            lang,
            "plan_user",
            item_id=request.item_id,
            title=request.title or "-",
            summary=request.summary or "-",
            variants=request.variants,
            hook_max_seconds=request.hook_max_seconds,
            body_target_seconds=request.body_target_seconds,
            transcript=transcript,
        )
        answer, debug = self._ask(
            unit=request.item_id,
            stage="plan",
            language=lang,
            user=user,
            schema_name=PLAN_SCHEMA_NAME,
            schema=PLAN_SCHEMA,
            model=PlanAnswer,
            progress=request.progress,
            check=lambda a: validate_item_plan(
                request, ItemPlan(variants=a.variants[: request.variants])
            ),
        )
        return ItemPlan(variants=answer.variants, selling_points=answer.selling_points, debug=debug)

    # --- one exchange with a repair turn --------------------------------------------------------

    def _ask(
        self,
        *,
        unit: str,
        stage: str,
        language: str,
        user: str,
        schema_name: str,
        schema: dict[str, Any],
        model: type[M],
        progress: Any,
        check: Callable[[M], list[str]],
    ) -> tuple[M, dict[str, Any]]:
        messages = [
            {"role": "system", "content": system_prompt(language, stage, self._overrides[stage])},
            {"role": "user", "content": user},
        ]
        hint = render_prompt(language, "schema_hint", schema=json.dumps(schema, ensure_ascii=False))
        debug: dict[str, Any] = {"engine": self.name, "model": self.model, "rounds": []}
        parsed: M | None = None
        problems: list[str] = []
        usable: tuple[M, list[str]] | None = None  # the latest answer that at least parsed
        for round_no in (1, 2):
            try:
                answer = self._chat(messages, unit, schema_name, schema, hint, progress, debug)
            except EngineUnitError:
                if usable is None:
                    raise
                break  # the repair request failed: fall back to the first answer
            parsed, problems = _check_answer(answer, model, check)
            debug["rounds"].append(_round_debug(answer, problems))
            if parsed is not None:
                usable = (parsed, problems)
            if not problems:
                if round_no == 2 and progress is not None:
                    progress.info("repaired answer accepted", unit=unit)
                return parsed, debug  # type: ignore[return-value]
            if round_no == 1:
                if progress is not None:
                    progress.info(
                        "answer failed validation, asking for a repair",
                        unit=unit,
                        problems=len(problems),
                        first=problems[0],
                    )
                shown = problems[:MAX_PROBLEMS_SHOWN]
                if len(problems) > len(shown):
                    shown.append(f"... and {len(problems) - len(shown)} more")
                messages = [
                    *messages,
                    {"role": "assistant", "content": answer.content[:MAX_ECHO_CHARS]},
                    {
                        "role": "user",
                        "content": render_prompt(
                            language, "repair", problems="\n".join(f"- {p}" for p in shown)
                        ),
                    },
                ]
        if usable is None:
            debug["answer_excerpt"] = debug["rounds"][-1].get("answer_excerpt")
            raise EngineUnitError(
                f"invalid answer from the model after a repair attempt: {_summary(problems)}",
                debug=debug,
            )
        # Parsed but still breaking rules: the analyzer drops (and lists) exactly the bad parts.
        parsed, problems = usable
        summary = _summary(problems)
        debug["unresolved_problems"] = problems
        if progress is not None:
            progress.warning(f"{unit}: answer still has problems after a repair attempt: {summary}")
        return parsed, debug

    def _chat(
        self,
        messages: list[dict[str, str]],
        unit: str,
        schema_name: str,
        schema: dict[str, Any],
        hint: str,
        progress: Any,
        debug: dict[str, Any],
    ) -> ChatAnswer:
        try:
            answer = self.client.chat(
                messages,
                schema_name=schema_name,
                schema=schema,
                schema_hint=hint,
                progress=progress,
                unit=unit,
            )
        except ProviderError as exc:
            self._count(exc.attempts, {})
            raise self._provider_failure(exc, debug) from None
        self._count(answer.attempts, answer.usage)
        return answer

    def _provider_failure(self, exc: ProviderError, debug: dict[str, Any]) -> Exception:
        if exc.kind == "auth":
            return StageError(
                f"the provider refused the request: {exc.message}",
                hint="check analysis.live_commerce.provider.api_key (env "
                "CLIPORA_ANALYSIS__LIVE_COMMERCE__PROVIDER__API_KEY) and that it may use "
                f"analysis.live_commerce.provider.model={self.model}",
            )
        if exc.kind == "connect":
            return StageError(
                exc.message,
                hint="is the server running? Fix analysis.live_commerce.provider.base_url or set "
                "analysis.live_commerce.engine=offline",
            )
        if exc.kind == "not_found":
            return StageError(
                exc.message,
                hint="check analysis.live_commerce.provider.base_url (it usually ends in /v1) "
                f"and analysis.live_commerce.provider.model={self.model}",
            )
        debug["error"] = exc.message
        debug["attempts"] = exc.attempts
        return EngineUnitError(f"provider request failed: {exc.message}", debug=debug)

    def _count(self, requests: int, usage: dict[str, Any]) -> None:
        with self._usage_lock:
            self.usage["requests"] += requests
            for key in ("prompt_tokens", "completion_tokens"):
                value = usage.get(key)
                if isinstance(value, int):
                    self.usage[key] += value


def _check_answer(
    answer: ChatAnswer, model: type[M], check: Callable[[M], list[str]]
) -> tuple[M | None, list[str]]:
    try:
        data = extract_json_object(answer.content)
    except AnswerParseError as exc:
        problem = str(exc)
        if answer.finish_reason == "length":
            problem += " (the answer was cut off at the token limit: keep it shorter)"
        return None, [problem]
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        return None, [_describe_error(e) for e in exc.errors()]
    return parsed, check(parsed)


def _summary(problems: list[str]) -> str:
    return "; ".join(problems[:3]) + (f" (+{len(problems) - 3} more)" if len(problems) > 3 else "")


def _describe_error(err: Any) -> str:
    loc = ".".join(str(p) for p in err.get("loc", ())) or "(top level)"
    return f"{loc}: {err.get('msg', 'invalid')}"


def _round_debug(answer: ChatAnswer, problems: list[str]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "http_requests": answer.attempts,
        "structured_output": answer.mode,
        "finish_reason": answer.finish_reason,
        "elapsed_seconds": answer.elapsed_seconds,
        "answer_chars": len(answer.content),
        "usage": answer.usage,
        "problems": problems,
    }
    if answer.retries:
        record["retries"] = answer.retries
    if problems:
        record["answer_excerpt"] = answer.content[:2000]
    return record


def _windows_text(lines: list[Line], window_line_ids: list[list[str]], lang: str) -> str:
    by_id = {ln.id: ln for ln in lines}
    label = "Window" if lang == "en" else "窗口"
    out: list[str] = []
    for k, ids in enumerate(window_line_ids, 1):
        if len(window_line_ids) > 1:
            out.append(f"## {label} {k}")
        for lid in ids:
            ln = by_id.get(lid)
            if ln is not None:
                out.append(f"[{ln.id}] [{ln.start_seconds:.2f}-{ln.end_seconds:.2f}] {ln.text}")
    return "\n".join(out)


def _products_text(products: list, lang: str) -> str:
    """The seller's list as prompts show it: ``0: name | alias | alias`` per line."""
    if not products:
        return "(none)" if lang == "en" else "（无）"
    return "\n".join(
        f"{p.index}: "
        + " | ".join([p.name, *p.aliases])
        + (f" (price {p.price:g})" if p.price is not None else "")
        for p in products
    )
