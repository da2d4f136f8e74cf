"""Applying host presence to a variant's resolved windows: the hook moves or goes, body windows
are kept, split into their present parts or dropped, and every change is recorded.

Called by the analyzer for every engine; engines never see presence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clipora_core.api import TimeWindow

from clipora_live_commerce.engine import (
    ItemPlan,
    Line,
    PlanItemRequest,
    SpanChoice,
    VariantChoice,
)
from clipora_live_commerce.presence import (
    PresenceRules,
    absent_overlaps,
    build_rules,
    describe,
    lines_in,
    present_pieces,
    present_share,
    snap_piece,
)
from clipora_live_commerce.timing import span_windows

DEFAULT_MIN_PIECE_SECONDS = 1.5


@dataclass
class PlannedWindow:
    """One hook or body span of a variant, resolved to time."""

    role: str
    span: SpanChoice
    run: list[Line]
    frags: list[TimeWindow]
    extra: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "start_segment_id": self.run[0].id,
            "end_segment_id": self.run[-1].id,
            "real_segment_ids": [ln.id for ln in self.run],
            "selling_point": self.span.selling_point if self.role == "body" else None,
            "reason": self.span.reason,
            "duration_seconds": round(sum(f.duration for f in self.frags), 3),
            "fragment_count": len(self.frags),
            "start_seconds": self.frags[0].start_seconds,
            "end_seconds": self.frags[-1].end_seconds,
            "fragments": [f.model_dump() for f in self.frags],
            **self.extra,
        }

    def where(self) -> dict[str, Any]:
        return {
            "start_segment_id": self.run[0].id,
            "end_segment_id": self.run[-1].id,
            "windows": [f.model_dump() for f in self.frags],
        }


def resolve_span(
    role: str,
    span: SpanChoice,
    request: PlanItemRequest,
    pos: dict[str, int],
    window_of_line: dict[str, TimeWindow],
    bridge: float,
) -> PlannedWindow:
    a, b = pos[span.start_segment_id], pos[span.end_segment_id]
    run = request.lines[a : b + 1]
    prev_end = request.lines[a - 1].end_seconds if a > 0 else None
    next_start = request.lines[b + 1].start_seconds if b + 1 < len(request.lines) else None
    frags = span_windows(run, window_of_line[run[0].id], prev_end, next_start, bridge)
    return PlannedWindow(role, span, run, frags)


@dataclass
class ItemPresence:
    """What presence means for one item: the rules, or why there are none."""

    enabled: bool
    rules: PresenceRules | None = None
    note: str | None = None
    item_ratio: float | None = None

    @classmethod
    def for_item(
        cls, ctx: Any, item: Any, min_piece: float = DEFAULT_MIN_PIECE_SECONDS
    ) -> ItemPresence:
        cfg = getattr(getattr(ctx, "analysis", None), "pose_presence", None)
        report = (getattr(ctx, "presence", None) or {}).get(item.id)
        enabled = bool(getattr(cfg, "enabled", False)) or report is not None
        if report is None:
            note = (
                "presence is enabled but no report was made for this item; windows left unchanged"
            )
            return cls(enabled=enabled, note=note if enabled else None)
        rules, note = build_rules(report, item.windows, cfg, min_piece)
        if rules is None:
            return cls(enabled=True, note=note)
        return cls(
            enabled=True,
            rules=rules,
            item_ratio=round(present_share(item.windows, rules.absent), 4),
        )

    def summary(self, play: list[TimeWindow], adjustments: list[dict[str, Any]]) -> dict[str, Any]:
        """The segment's presence fields (``None`` where presence was not measured)."""
        out: dict[str, Any] = {
            "pose_presence_enabled": self.enabled,
            "pose_presence_ratio": None,
            "pose_present_throughout": None,
            "pose_max_absent_gap_seconds": None,
            "pose_missing_window_count": None,
            "pose_item_presence_ratio": self.item_ratio,
            "presence_adjustments": adjustments,
            "presence_note": self.note,
        }
        if self.rules is not None:
            gaps = absent_overlaps(play, self.rules.absent)
            out.update(
                pose_presence_ratio=round(present_share(play, self.rules.absent), 4),
                pose_present_throughout=not gaps,
                pose_max_absent_gap_seconds=round(max((e - s for s, e in gaps), default=0.0), 3),
                pose_missing_window_count=len(gaps),
            )
        return out

    def record(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "note": self.note,
            "item_presence_ratio": self.item_ratio,
            "absent_windows": []
            if self.rules is None
            else [{"start_seconds": s, "end_seconds": e} for s, e in self.rules.absent],
        }


class HookPool:
    """Hook candidates to fall back on when a variant's hook shows an empty set: what the engine
    listed in its debug, the item's rule-ranked self-contained lines (whatever the engine), then
    the hooks of the other variants (so variants keep opening differently where possible)."""

    def __init__(
        self, request: PlanItemRequest, plan: ItemPlan, variants: list[VariantChoice]
    ) -> None:
        self.request = request
        self.plan = plan
        self.variants = variants
        self._ranked: list[SpanChoice] | None = None

    def candidates(self, variant: VariantChoice) -> list[SpanChoice]:
        if self._ranked is None:
            self._ranked = self._rank()
        own = variant.hook
        others = {
            (v.hook.start_segment_id, v.hook.end_segment_id)
            for v in self.variants
            if v is not variant and v.hook
        }
        pool = [
            c
            for c in self._ranked
            if own is None
            or (c.start_segment_id, c.end_segment_id) != (own.start_segment_id, own.end_segment_id)
        ]
        # Stable: lines no other variant opens with come first.
        return sorted(pool, key=lambda c: (c.start_segment_id, c.end_segment_id) in others)

    def _rank(self) -> list[SpanChoice]:
        from clipora_live_commerce.offline import rank_hooks

        found: list[SpanChoice] = []
        for h in (self.plan.debug or {}).get("hook_candidates") or []:
            if isinstance(h, dict) and h.get("start_segment_id") and h.get("end_segment_id"):
                found.append(
                    SpanChoice(
                        start_segment_id=str(h["start_segment_id"]),
                        end_segment_id=str(h["end_segment_id"]),
                        reason=str(h.get("reason") or ""),
                    )
                )
        found += rank_hooks(self.request)
        found += [v.hook for v in self.variants if v.hook]
        seen: set[tuple[str, str]] = set()
        out = []
        for c in found:
            key = (c.start_segment_id, c.end_segment_id)
            if key not in seen:
                seen.add(key)
                out.append(c)
        return out


def apply_presence(
    planned: list[PlannedWindow],
    rules: PresenceRules,
    variant: VariantChoice,
    hooks: HookPool,
    request: PlanItemRequest,
    pos: dict[str, int],
    window_of_line: dict[str, TimeWindow],
    bridge: float,
) -> tuple[list[PlannedWindow], list[dict[str, Any]]]:
    """The variant's windows with the host on screen, and what was changed and why."""
    adjustments: list[dict[str, Any]] = []
    out: list[PlannedWindow] = []
    body_lines = {pos[ln.id] for p in planned if p.role == "body" for ln in p.run}
    for p in planned:
        gaps = absent_overlaps(p.frags, rules.absent)
        if not gaps:
            out.append(p)
        elif p.role == "hook":
            moved = _move_hook(
                p, variant, hooks, rules, request, pos, window_of_line, bridge, body_lines
            )
            change = {"role": "hook", "reason": describe(gaps), "from": p.where()}
            if moved is None:
                adjustments.append(
                    {
                        **change,
                        "action": "dropped",
                        "reason": f"{describe(gaps)}; no other self-contained line with the "
                        "host on screen",
                    }
                )
            else:
                adjustments.append({**change, "action": "moved", "to": moved.where()})
                out.append(moved)
        else:
            out.extend(_fix_body(p, gaps, rules, adjustments))
    return out, adjustments


def _move_hook(
    hook: PlannedWindow,
    variant: VariantChoice,
    hooks: HookPool,
    rules: PresenceRules,
    request: PlanItemRequest,
    pos: dict[str, int],
    window_of_line: dict[str, TimeWindow],
    bridge: float,
    body_lines: set[int],
) -> PlannedWindow | None:
    group_of = {lid: g for g, ids in enumerate(request.window_line_ids) for lid in ids}
    for cand in hooks.candidates(variant):
        a, b = pos.get(cand.start_segment_id), pos.get(cand.end_segment_id)
        if (
            a is None
            or b is None
            or a > b
            or group_of.get(cand.start_segment_id) != group_of.get(cand.end_segment_id)
        ):
            continue
        if any(i in body_lines for i in range(a, b + 1)):
            continue  # the same line twice in one clip
        if (
            request.lines[b].end_seconds - request.lines[a].start_seconds
            > request.hook_max_seconds * 1.5
        ):
            continue
        moved = resolve_span("hook", cand, request, pos, window_of_line, bridge)
        if not absent_overlaps(moved.frags, rules.absent):
            moved.extra["presence_moved_from"] = [hook.run[0].id, hook.run[-1].id]
            return moved
    return None


def _fix_body(
    p: PlannedWindow,
    gaps: list[tuple[float, float]],
    rules: PresenceRules,
    adjustments: list[dict[str, Any]],
) -> list[PlannedWindow]:
    share = present_share(p.frags, rules.absent)
    longest = max(e - s for s, e in gaps)
    facts = f"{share:.0%} present, longest absence {longest:.1f} s"
    if share >= rules.min_ratio and longest <= rules.max_gap:
        adjustments.append(
            {
                "role": "body",
                "action": "kept",
                "from": p.where(),
                "reason": f"{describe(gaps)}; {facts}: within the tolerated limits",
            }
        )
        return [p]
    kept: list[PlannedWindow] = []
    short: list[dict[str, Any]] = []
    for piece in present_pieces(p.frags, rules.absent):
        snapped, how = snap_piece(piece, p.run, rules.min_piece)
        run = lines_in(snapped, p.run) if snapped else []
        if snapped is None or not run:
            short.append(
                {
                    "start_seconds": round(piece[0], 3),
                    "end_seconds": round(piece[1], 3),
                    "reason": how,
                }
            )
            continue
        kept.append(
            PlannedWindow(
                "body",
                p.span,
                run,
                [TimeWindow(start_seconds=snapped[0], end_seconds=snapped[1])],
                extra={
                    "presence_split_of": [p.run[0].id, p.run[-1].id],
                    "presence_snapped_to": how,
                },
            )
        )
    base = {"role": "body", "from": p.where(), "reason": f"{describe(gaps)} ({facts})"}
    if not kept:
        left = "; ".join(
            f"{x['start_seconds']:.1f}-{x['end_seconds']:.1f}s: {x['reason']}" for x in short
        )
        adjustments.append(
            {
                **base,
                "action": "dropped",
                "to": None,
                "reason": base["reason"]
                + (f"; present parts too short ({left})" if left else "; nothing of it is present"),
            }
        )
        return kept
    adjustments.append({**base, "action": "split", "to": [k.where() for k in kept]})
    for x in short:
        adjustments.append(
            {
                "role": "body",
                "action": "dropped",
                "from": p.where(),
                "to": None,
                "piece": {"start_seconds": x["start_seconds"], "end_seconds": x["end_seconds"]},
                "reason": f"{describe(gaps)}; present part {x['start_seconds']:.1f}-{x['end_seconds']:.1f}s "
                f"dropped: {x['reason']}",
            }
        )
    return kept
