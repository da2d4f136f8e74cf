"""The ``live_commerce`` video type: ``discover`` → ``cluster`` → ``analyze_item``.

Engine-independent work lives here (see ``engine.py`` for the split): windows, acceptance of
candidates, items, times, ids, metadata and the list of dropped or failed units.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from clipora_core.api import (
    AnalyzerContext,
    ClusterResult,
    DiscoveredInterval,
    DiscoveryResult,
    DroppedUnit,
    EditPlanSegment,
    PluginRuntime,
    SemanticItemInterval,
    TimeWindow,
    Transcript,
    VideoTypeAnalyzer,
)

from clipora_live_commerce.engine import (
    ClusterGroup,
    ClusterRequest,
    DiscoverWindowRequest,
    Engine,
    EngineUnitError,
    IntervalInfo,
    ItemPlan,
    Language,
    Line,
    ListedProduct,
    PlanItemRequest,
    VariantChoice,
    WindowDiscovery,
    Word,
    validate_item_plan,
)
from clipora_live_commerce.engines import create_engine
from clipora_live_commerce.features import detect_language
from clipora_live_commerce.names import correct_names, listed_products
from clipora_live_commerce.pauses import AudioEnvelope, PauseSnapper
from clipora_live_commerce.presence_plan import (
    HookPool,
    ItemPresence,
    PlannedWindow,
    apply_presence,
    resolve_span,
)
from clipora_live_commerce.scoring import score_planned
from clipora_live_commerce.settings import LiveCommerceSettings
from clipora_live_commerce.tighten_plan import BodyTightener
from clipora_live_commerce.windowing import WindowSpec, plan_windows

STAGE_DISCOVER = "semantic_discover"
STAGE_CLUSTER = "semantic_cluster"
STAGE_ANALYZE = "analyze"
CONTEXT_LINES = 3


def transcript_lines(transcript: Transcript) -> list[Line]:
    out = []
    for n, seg in enumerate(transcript.segments, 1):
        words = tuple(Word(w.start_seconds, w.end_seconds, w.text) for w in seg.words)
        out.append(Line(n, seg.id, seg.start_seconds, seg.end_seconds, seg.text.strip(), words))
    return out


def transcript_language(transcript: Transcript) -> Language:
    return detect_language([s.text for s in transcript.segments[:400]], transcript.language)


def _window(start: float, end: float) -> TimeWindow:
    # A zero-length ASR segment would make an invalid window: give it a hair of duration.
    return TimeWindow(start_seconds=max(0.0, start), end_seconds=max(end, start + 0.01))


class LiveCommerceAnalyzer(VideoTypeAnalyzer):
    """``factory(options, runtime)`` of the ``live_commerce`` video type."""

    def __init__(
        self,
        options: LiveCommerceSettings | None = None,
        runtime: PluginRuntime | None = None,
        engine: Engine | None = None,
    ) -> None:
        self.options = options or LiveCommerceSettings()
        self._engine = engine
        self._lock = threading.Lock()
        self._audio: AudioEnvelope | None = None

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = create_engine(self.options)
            return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
        if self._audio is not None:
            self._audio.close()

    def _envelope(self, ctx: AnalyzerContext) -> AudioEnvelope | None:
        """The recording's audio, read around clip edges (None when there is no job media)."""
        if not getattr(ctx.probe, "has_audio", False):
            return None
        path = ctx.media_path
        if path is None or not path.exists():
            return None
        with self._lock:
            if self._audio is None or self._audio.path != path:
                self._audio = AudioEnvelope(path, ctx.media_time_map)
            return self._audio

    # --- semantic_discover ----------------------------------------------------------------------

    def discover(self, ctx: AnalyzerContext) -> DiscoveryResult:
        engine = self.engine
        if not ctx.transcript.segments:
            ctx.progress.warning("transcript is empty: no products can be found")
            return DiscoveryResult([], debug={"engine": engine.name, "windows": []})
        lang = transcript_language(ctx.transcript)
        listed = listed_products(ctx.products)
        corrected, edits = correct_names(ctx.transcript, listed, lang)
        if edits:
            ctx.progress.info("product names corrected in the transcript", corrections=len(edits))
        lines = transcript_lines(corrected)
        analysis = self.options
        if getattr(engine, "window_seconds", 840.0) is None:
            specs = [
                WindowSpec(
                    0,
                    len(lines) - 1,
                    {"strategy": "whole_transcript", "end_reason": "transcript_end"},
                )
            ]
        else:
            specs = plan_windows(
                lines,
                lang,
                getattr(analysis, "semantic_window_target_seconds", 600.0),
                getattr(analysis, "semantic_window_max_seconds", 840.0),
                getattr(analysis, "semantic_window_max_segments", 700),
            )
        requests = [
            DiscoverWindowRequest(
                window_index=i,
                window_count=len(specs),
                lines=lines[spec.start : spec.end + 1],
                language=lang,
                progress=ctx.progress,
                context_before=lines[max(0, spec.start - CONTEXT_LINES) : spec.start],
                context_after=lines[spec.end + 1 : spec.end + 1 + CONTEXT_LINES],
                products=listed,
            )
            for i, spec in enumerate(specs, 1)
        ]
        ctx.progress.info(
            "interval planning started", windows=len(specs), engine=engine.name, language=lang
        )
        results = self._run_windows(ctx, engine, requests)

        accepted: list[DiscoveredInterval] = []
        window_of: dict[str, int] = {}
        plans: list[dict[str, Any]] = []
        for spec, req, result in zip(specs, requests, results, strict=True):
            plan: dict[str, Any] = {
                "window_index": req.window_index,
                "start_segment_number": req.start_number,
                "end_segment_number": req.end_number,
                "start_seconds": req.start_seconds,
                "end_seconds": req.end_seconds,
                "transcript_text": "\n".join(line.render() for line in req.lines),
                "planning": spec.planning,
                "candidates": [],
                "validation_error": None,
            }
            plans.append(plan)
            if isinstance(result, EngineUnitError):
                plan["validation_error"] = result.reason
                plan["engine_debug"] = result.debug
                ctx.dropped.append(
                    DroppedUnit(
                        stage=STAGE_DISCOVER,
                        unit="window",
                        kind="failed",
                        id=f"window-{req.window_index:03d}",
                        reason=result.reason,
                    )
                )
                continue
            plan["engine_debug"] = result.debug
            for j, cand in enumerate(result.candidates, 1):
                record = {
                    **cand.model_dump(),
                    "status": "accepted",
                    "reason": None,
                    "interval_id": None,
                }
                reason = _reject_reason(cand, req, accepted)
                if reason:
                    record.update(status="dropped", reason=reason)
                    ctx.dropped.append(
                        DroppedUnit(
                            stage=STAGE_DISCOVER,
                            unit="interval",
                            id=f"window-{req.window_index:03d}-candidate-{j:03d}",
                            reason=f"{reason}: segments {cand.start_segment_number}-{cand.end_segment_number} "
                            f"{cand.title!r}",
                        )
                    )
                else:
                    a, b = lines[cand.start_segment_number - 1], lines[cand.end_segment_number - 1]
                    iv = DiscoveredInterval(
                        id=f"semantic-interval-{len(accepted) + 1:03d}",
                        start_segment_number=a.number,
                        end_segment_number=b.number,
                        title=cand.title.strip(),
                        summary=cand.summary.strip(),
                        start_seconds=a.start_seconds,
                        end_seconds=b.end_seconds,
                        keywords=list(cand.keywords),
                        listed_index=(
                            cand.listed_index
                            if cand.listed_index is not None
                            and 0 <= cand.listed_index < len(listed)
                            else None
                        ),
                        unlisted=bool(listed)
                        and not (
                            cand.listed_index is not None and 0 <= cand.listed_index < len(listed)
                        ),
                        product_key=cand.product_key,
                    )
                    accepted.append(iv)
                    window_of[iv.id] = req.window_index
                    record["interval_id"] = iv.id
                plan["candidates"].append(record)
        intervals = _join_across_cuts(accepted, window_of, lines)
        ctx.progress.info("discover completed", intervals=len(intervals))
        return DiscoveryResult(
            intervals,
            debug={
                "engine": engine.name,
                "language": lang,
                "name_corrections": edits,
                "windows": plans,
            },
            transcript=corrected if edits else None,
        )

    def _run_windows(
        self, ctx: AnalyzerContext, engine: Engine, requests: list[DiscoverWindowRequest]
    ) -> list[WindowDiscovery | EngineUnitError]:
        workers = max(1, int(self.options.concurrency))
        done = 0
        lock = threading.Lock()

        def one(req: DiscoverWindowRequest) -> WindowDiscovery | EngineUnitError:
            nonlocal done
            ctx.progress.info(
                f"window request {req.window_index}/{req.window_count}",
                segments=f"{req.start_number}-{req.end_number}",
            )
            try:
                result: WindowDiscovery | EngineUnitError = engine.discover_window(req)
            except EngineUnitError as exc:
                ctx.progress.warning(f"window {req.window_index} failed: {exc.reason}")
                result = exc
            with lock:
                done += 1
                ctx.progress.update(done, len(requests))
            return result

        if workers == 1 or len(requests) == 1:
            return [one(r) for r in requests]
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="discover") as pool:
            return list(pool.map(one, requests))

    # --- semantic_cluster -----------------------------------------------------------------------

    def cluster(self, ctx: AnalyzerContext, intervals: list[DiscoveredInterval]) -> ClusterResult:
        engine = self.engine
        if not intervals:
            return ClusterResult(
                [], debug={"engine": engine.name, "groups": [], "validation_error": None}
            )
        lines = transcript_lines(ctx.transcript)
        lang = transcript_language(ctx.transcript)
        infos = [
            IntervalInfo(
                id=iv.id,
                start_segment_number=iv.start_segment_number,
                end_segment_number=iv.end_segment_number,
                start_seconds=lines[iv.start_segment_number - 1].start_seconds,
                end_seconds=lines[iv.end_segment_number - 1].end_seconds,
                title=iv.title,
                summary=iv.summary,
                lines=lines[iv.start_segment_number - 1 : iv.end_segment_number],
                keywords=list(getattr(iv, "keywords", None) or []),
                listed_index=getattr(iv, "listed_index", None),
                unlisted=bool(getattr(iv, "unlisted", False)),
                product_key=str(getattr(iv, "product_key", "") or ""),
            )
            for iv in sorted(intervals, key=lambda iv: iv.start_segment_number)
        ]
        by_id = {i.id: i for i in infos}
        debug: dict[str, Any] = {"engine": engine.name, "groups": [], "validation_error": None}
        ctx.progress.info("cluster request started", intervals=len(infos))
        try:
            plan = engine.cluster(
                ClusterRequest(
                    intervals=infos,
                    language=lang,
                    progress=ctx.progress,
                    products=listed_products(ctx.products),
                )
            )
            groups = plan.groups
            debug["engine_debug"] = plan.debug
        except EngineUnitError as exc:
            # Not fatal: every interval becomes its own item, and the failure is listed.
            debug["validation_error"] = exc.reason
            debug["engine_debug"] = exc.debug
            ctx.dropped.append(
                DroppedUnit(
                    stage=STAGE_CLUSTER,
                    unit="cluster",
                    id="cluster",
                    kind="failed",
                    reason=f"{exc.reason}; each interval kept as its own item",
                )
            )
            groups = [
                ClusterGroup(interval_ids=[i.id], title=i.title, summary=i.summary) for i in infos
            ]

        used: set[str] = set()
        accepted: list[tuple[list[IntervalInfo], str, str, dict[str, Any]]] = []
        for n, g in enumerate(groups, 1):
            record: dict[str, Any] = {
                "group_index": n,
                "interval_ids": g.interval_ids,
                "title": g.title,
                "summary": g.summary,
                "status": "accepted",
                "reason": None,
                "semantic_item_id": None,
                "merged_window_count": None,
            }
            debug["groups"].append(record)
            reason = None
            if len(set(g.interval_ids)) != len(g.interval_ids):
                reason = "duplicate_interval_ids"
            elif any(i not in by_id for i in g.interval_ids):
                reason = "unknown_interval_id"
            elif any(i in used for i in g.interval_ids):
                reason = "interval_reused_across_groups"
            if reason:
                record.update(status="dropped", reason=reason)
                ctx.dropped.append(
                    DroppedUnit(
                        stage=STAGE_CLUSTER,
                        unit="cluster_group",
                        id=f"group-{n:03d}",
                        reason=f"{reason} in {g.interval_ids}; its intervals stay "
                        "items of their own unless another group has them",
                    )
                )
                continue
            used.update(g.interval_ids)
            members = sorted(
                (by_id[i] for i in g.interval_ids), key=lambda i: i.start_segment_number
            )
            title = g.title.strip() or members[0].title
            summary = g.summary.strip() or members[0].summary
            accepted.append((members, title, summary, record))
        for info in infos:  # nothing disappears: an interval no group took is an item of its own
            if info.id not in used:
                record = {
                    "group_index": None,
                    "interval_ids": [info.id],
                    "title": info.title,
                    "summary": info.summary,
                    "status": "accepted",
                    "reason": "not_grouped_kept_alone",
                    "semantic_item_id": None,
                    "merged_window_count": None,
                }
                debug["groups"].append(record)
                accepted.append(([info], info.title, info.summary, record))

        accepted.sort(key=lambda a: a[0][0].start_segment_number)
        items: list[SemanticItemInterval] = []
        for k, (members, title, summary, record) in enumerate(accepted, 1):
            item = _materialize(
                f"semantic-item-{k:03d}", members, title, summary, lines, engine.name
            )
            items.append(item)
            record["semantic_item_id"] = item.id
            record["merged_window_count"] = len(item.windows)
        listed = listed_products(ctx.products)
        named = _name_listed_items(items, listed)
        not_pitched = [p.name for p in listed if p.index not in named]
        ctx.progress.info("cluster request completed", items=len(items))
        return ClusterResult(items, debug=debug, products_not_pitched=not_pitched)

    # --- analyze --------------------------------------------------------------------------------

    def analyze_item(
        self, ctx: AnalyzerContext, item: SemanticItemInterval
    ) -> list[EditPlanSegment]:
        engine = self.engine
        analysis = self.options
        lines = transcript_lines(ctx.transcript)
        lang = transcript_language(ctx.transcript)
        windows = sorted(item.windows, key=lambda w: w.start_seconds)
        groups: list[list[Line]] = []
        for w in windows:
            groups.append(
                [
                    ln
                    for ln in lines
                    if ln.end_seconds > w.start_seconds + 1e-6
                    and ln.start_seconds < w.end_seconds - 1e-6
                ]
            )
        item_lines = [ln for g in groups for ln in g]
        if not item_lines:
            _drop_item(ctx, item, "no transcript segment inside the item's windows")
            return []
        request = PlanItemRequest(
            item_id=item.id,
            title=item.title,
            summary=item.summary,
            lines=item_lines,
            window_line_ids=[[ln.id for ln in g] for g in groups],
            language=lang,
            variants=int(analysis.variants_per_segment),
            hook_max_seconds=float(analysis.hook_max_duration_seconds),
            body_target_seconds=float(analysis.body_target_seconds),
            progress=ctx.progress,
        )
        ctx.progress.info(
            "item planning",
            semantic_item=item.id,
            lines=len(item_lines),
            variants=request.variants,
            engine=engine.name,
        )
        try:
            plan = engine.plan_item(request)
        except EngineUnitError as exc:
            _drop_item(ctx, item, exc.reason)
            self._write_request(ctx, item, request, None, {"error": exc.reason, **exc.debug})
            return []
        presence = ItemPresence.for_item(ctx, item, self.options.presence_min_piece_seconds)
        if presence.note:
            ctx.progress.warning(f"{item.id}: {presence.note}")
        envelope = self._envelope(ctx)
        snapper = PauseSnapper(lines, envelope)
        tightener = BodyTightener(self.options.tighten, lines, envelope)
        segments = self._segments(
            ctx, item, request, plan, windows, groups, presence, snapper, tightener
        )
        self._write_request(ctx, item, request, plan, {"presence": presence.record()})
        return segments

    def _segments(
        self,
        ctx: AnalyzerContext,
        item: SemanticItemInterval,
        request: PlanItemRequest,
        plan: ItemPlan,
        windows: list[TimeWindow],
        groups: list[list[Line]],
        presence: ItemPresence,
        snapper: PauseSnapper,
        tightener: BodyTightener,
    ) -> list[EditPlanSegment]:
        engine_name = self.engine.name
        bridge = float(self.options.segment_gap_bridge_seconds)
        pos = {ln.id: i for i, ln in enumerate(request.lines)}
        window_of_line = {ln.id: windows[g] for g, grp in enumerate(groups) for ln in grp}
        requested = request.variants
        received = len(plan.variants)
        kept = []
        for v in plan.variants[:requested]:
            problems = validate_item_plan(request, ItemPlan(variants=[*kept, v]))
            if problems:
                ctx.dropped.append(
                    DroppedUnit(
                        stage=STAGE_ANALYZE,
                        unit="variant",
                        id=f"{item.id}-variant-{v.variant}",
                        reason="; ".join(problems),
                    )
                )
                continue
            kept.append(v)
        if received > requested:
            ctx.progress.info(
                "extra variants ignored",
                semantic_item=item.id,
                received=received,
                requested=requested,
            )
        if not kept:
            if received:
                _drop_item(ctx, item, "no valid clip variant")
            else:
                _drop_item(ctx, item, "the engine found nothing worth a clip", kind="dropped")
            return []

        built: list[tuple[VariantChoice, list[PlannedWindow], list[dict[str, Any]]]] = []
        seen_windows: dict[tuple[str, tuple[str, ...]], str] = {}
        hooks = HookPool(request, plan, kept)
        for v in kept:
            planned = [
                resolve_span(role, span, request, pos, window_of_line, bridge)
                for role, span in ([("hook", v.hook)] if v.hook else [])
                + [("body", s) for s in v.body]
            ]
            adjustments: list[dict[str, Any]] = []
            if presence.rules is not None:
                planned, adjustments = apply_presence(
                    planned, presence.rules, v, hooks, request, pos, window_of_line, bridge
                )
                if not any(p.role == "body" for p in planned):
                    why = "; ".join(a["reason"] for a in adjustments if a["role"] == "body")
                    ctx.dropped.append(
                        DroppedUnit(
                            stage=STAGE_ANALYZE,
                            unit="variant",
                            id=f"{item.id}-variant-{v.variant}",
                            reason=f"no body window left with the host on screen ({why})",
                        )
                    )
                    continue
            # Cutting absent spans can leave two variants playing the same lines with the same
            # opening: one such clip is enough.
            shape = (planned[0].run[0].id, tuple(sorted({ln.id for p in planned for ln in p.run})))
            if adjustments and shape in seen_windows:
                ctx.dropped.append(
                    DroppedUnit(
                        stage=STAGE_ANALYZE,
                        unit="variant",
                        id=f"{item.id}-variant-{v.variant}",
                        reason=f"same lines as variant {seen_windows[shape]} once the spans "
                        "without the host were cut",
                    )
                )
                continue
            seen_windows.setdefault(shape, v.variant)
            built.append((v, planned, adjustments))
        if not built:
            _drop_item(ctx, item, "the host is off screen in every clip variant", kind="dropped")
            return []

        out: list[EditPlanSegment] = []
        for k, (v, entries, adjustments) in enumerate(built, 1):
            planned = [p.record() for p in entries]
            play = _merge_play_order([f for p in entries for f in p.frags])
            # Every cut in a pause between words, never inside one.
            play = snapper.snap_windows(
                play,
                windows,
                limit=ctx.probe.duration_seconds or None,
                avoid=list(presence.rules.absent) if presence.rules else None,
            )
            play, trimmed = tightener.tighten(play, entries)
            body_points = [
                p["selling_point"] for p in planned if p["role"] == "body" and p["selling_point"]
            ]
            hook = next((p for p in planned if p["role"] == "hook"), None)
            first_detail = body_points[0].split(":", 1)[-1].strip() if body_points else ""
            seg = EditPlanSegment(
                id=f"{item.id}-plan-{k:03d}",
                windows=play,
                score=score_planned(
                    play, entries, request, item.metadata, ctx.products, self.options
                ),
                title=v.title.strip() or item.title or first_detail,
                price=_listed_price(item.metadata, ctx.products),
                summary=v.summary.strip() or " | ".join(dict.fromkeys(body_points)) or item.summary,
                variant=str(k),
                metadata={
                    "engine": engine_name,
                    "semantic_item_id": item.id,
                    "semantic_interval_id": item.id,
                    "semantic_interval_title": item.title,
                    "semantic_interval_summary": item.summary,
                    "semantic_interval_windows": [w.model_dump() for w in item.windows],
                    "semantic_interval_total_duration_seconds": item.total_duration_seconds,
                    "window_count": len(planned),
                    "variants_requested": requested,
                    "variants_received": received,
                    "variants_truncated": received > requested,
                    "hook_was_prepended": hook is not None,
                    "hook_selected": hook,
                    "selling_points": body_points,
                    "item_selling_points": plan.selling_points,
                    "planned_windows": planned,
                    "window_segment_ids": [
                        {
                            "role": p["role"],
                            "start_segment_id": p["start_segment_id"],
                            "end_segment_id": p["end_segment_id"],
                            "real_segment_ids": p["real_segment_ids"],
                            "fragment_count": p["fragment_count"],
                        }
                        for p in planned
                    ],
                    "reasons": [f"{p['role']}: {p['reason']}" for p in planned if p["reason"]],
                    "engine_variant": v.variant,
                    **presence.summary(play, adjustments),
                    **trimmed,
                },
            )
            out.append(seg)
        return out

    def _write_request(
        self,
        ctx: AnalyzerContext,
        item: SemanticItemInterval,
        request: PlanItemRequest,
        plan: ItemPlan | None,
        extra: dict[str, Any],
    ) -> None:
        job = ctx.job
        if job is None or not hasattr(job, "write_json"):
            return
        record = {
            "semantic_item_id": item.id,
            "semantic_item_windows": [w.model_dump() for w in item.windows],
            "title": item.title,
            "summary": item.summary,
            "engine": self.engine.name,
            "language": request.language,
            "variants_requested": request.variants,
            "transcript_lines": [ln.render() for ln in request.lines],
            "plan": None
            if plan is None
            else {
                "variants": [v.model_dump() for v in plan.variants],
                "selling_points": plan.selling_points,
                "debug": plan.debug,
            },
            **extra,
        }
        name = f"analysis/requests/{item.id}{'.failed' if plan is None else ''}.json"
        try:
            job.write_json(name, record)
        except OSError as exc:  # a debug record must never fail the item
            ctx.progress.warning(f"could not write {name}: {exc}")


# --- helpers ---------------------------------------------------------------------------------------


def _reject_reason(
    cand: Any, req: DiscoverWindowRequest, accepted: list[DiscoveredInterval]
) -> str | None:
    if cand.end_segment_number < cand.start_segment_number:
        return "end_before_start"
    if cand.start_segment_number < req.start_number:
        return "starts_before_window"
    if cand.end_segment_number > req.end_number:
        return "ends_after_window"
    if accepted and cand.start_segment_number < accepted[-1].start_segment_number:
        return "before_previous_interval"
    if accepted and cand.start_segment_number <= accepted[-1].end_segment_number:
        return "overlaps_previous_interval"
    return None


def _norm(title: str) -> str:
    return "".join(title.lower().split())


def _join_across_cuts(
    accepted: list[DiscoveredInterval], window_of: dict[str, int], lines: list[Line]
) -> list[DiscoveredInterval]:
    """A product that straddles a window cut comes back as two touching intervals with the same
    title: join them (renumbering ids) so the cut does not invent a product boundary."""
    out: list[DiscoveredInterval] = []
    last_window: list[int | None] = []
    for iv in accepted:
        w = window_of.get(iv.id)
        prev = out[-1] if out else None
        if (
            prev is not None
            and w != last_window[-1]
            and iv.start_segment_number == prev.end_segment_number + 1
            and iv.title
            and _norm(iv.title) == _norm(prev.title)
        ):
            prev.end_segment_number = iv.end_segment_number
            prev.end_seconds = lines[iv.end_segment_number - 1].end_seconds
            last_window[-1] = w
            continue
        out.append(iv.model_copy())
        last_window.append(w)
    for k, iv in enumerate(out, 1):
        iv.id = f"semantic-interval-{k:03d}"
    return out


def _materialize(
    item_id: str,
    members: list[IntervalInfo],
    title: str,
    summary: str,
    lines: list[Line],
    engine: str,
) -> SemanticItemInterval:
    spans: list[list[int]] = []
    for m in members:
        if spans and m.start_segment_number <= spans[-1][1] + 1:
            spans[-1][1] = max(spans[-1][1], m.end_segment_number)
        else:
            spans.append([m.start_segment_number, m.end_segment_number])
    windows = [_window(lines[a - 1].start_seconds, lines[b - 1].end_seconds) for a, b in spans]
    # Adjacent ASR segments can overlap by a few ms: keep item windows strictly non-overlapping.
    for p, c in zip(windows, windows[1:], strict=False):
        if p.end_seconds > c.start_seconds:
            p.end_seconds = c.start_seconds
    text = "\n".join(ln.text for a, b in spans for ln in lines[a - 1 : b])
    return SemanticItemInterval(
        id=item_id,
        windows=windows,
        title=title,
        summary=summary,
        transcript_text=text,
        metadata={
            "interval_ids": [m.id for m in members],
            "listed_indexes": [m.listed_index for m in members],
            "windows": [{"start_segment_number": a, "end_segment_number": b} for a, b in spans],
            "engine": engine,
        },
    )


def _merge_play_order(frags: Iterable[TimeWindow], tolerance: float = 0.3) -> list[TimeWindow]:
    """Join consecutive windows (in play order) that continue each other within ``tolerance``."""
    out: list[TimeWindow] = []
    for f in frags:
        if out and -1e-6 <= f.start_seconds - out[-1].end_seconds <= tolerance:
            out[-1] = TimeWindow(start_seconds=out[-1].start_seconds, end_seconds=f.end_seconds)
        else:
            out.append(f)
    return out


def _name_listed_items(items: list[SemanticItemInterval], listed: list[ListedProduct]) -> set[int]:
    """Items that are a listed product carry its name as title and in metadata; items pitched
    but missing from the list say so. Returns the listed indexes some item is about."""
    named: set[int] = set()
    if not listed:
        return named
    for item in items:
        indexes = [i for i in item.metadata.get("listed_indexes", []) if i is not None]
        if indexes:
            k = Counter(indexes).most_common(1)[0][0]
            named.add(k)
            item.title = listed[k].name
            item.metadata.update(listed_index=k, listed_name=listed[k].name, unlisted=False)
        else:
            item.metadata.update(listed_index=None, listed_name=None, unlisted=True)
    return named


def _drop_item(ctx: Any, item: Any, reason: str, kind: str = "failed") -> None:
    """Record an item that yields no clip (listed in the job manifest's dropped units)."""
    ctx.dropped.append(
        DroppedUnit(stage=STAGE_ANALYZE, unit="item", id=item.id, kind=kind, reason=reason)
    )


def _listed_price(item_metadata: dict[str, Any], products: Any) -> float | None:
    """The price the seller's list gives the item's product, if the item is a listed one."""
    k = item_metadata.get("listed_index")
    listed = list(getattr(products, "products", None) or [])
    if isinstance(k, int) and 0 <= k < len(listed):
        price = listed[k].price
        return float(price) if price is not None else None
    return None
