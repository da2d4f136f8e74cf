"""Discovery windows: contiguous, non-overlapping runs of transcript lines sized for one model
request, cut preferably where a new product is introduced (so few products straddle a cut)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clipora_live_commerce.engine import Language, Line
from clipora_live_commerce.features import line_features


@dataclass
class WindowSpec:
    start: int  # 0-based index of the first line
    end: int  # 0-based index of the last line (inclusive)
    planning: dict[str, Any] = field(default_factory=dict)


def _cut_score(lines: list[Line], c: int, language: Language) -> tuple[float, list[str]]:
    """Score starting the next window at line ``c``."""
    f = line_features(lines[c], language)
    score, reasons = 0.0, []
    if f.start_cue:
        score += 4.0
        reasons.append("intro:" + ",".join(f.start_cue))
    if f.return_cue:
        # Weaker than an introduction: "又补了库存" often continues a revisit already under way.
        score += 1.0
        reasons.append("return:" + ",".join(f.return_cue))
    prev = line_features(lines[c - 1], language)
    if prev.cta or (prev.filler and not prev.has_price):
        score += 1.5
        reasons.append("after_call_to_action_or_filler")
    gap = lines[c].start_seconds - lines[c - 1].end_seconds
    if gap >= 1.5:
        score += min(2.0, gap / 1.5)
        reasons.append(f"pause:{gap:.1f}s")
    if f.filler:
        score -= 1.0
        reasons.append("filler:" + ",".join(f.filler))
    return score, reasons


def plan_windows(
    lines: list[Line],
    language: Language,
    target_seconds: float,
    max_seconds: float,
    max_segments: int,
) -> list[WindowSpec]:
    n = len(lines)
    target_segments = max(1, int(max_segments * 5 / 7))
    out: list[WindowSpec] = []
    s = 0
    while s < n:
        last_valid = s + 1
        soft: int | None = None
        c = s + 1
        while c <= n:
            dur = lines[c - 1].end_seconds - lines[s].start_seconds
            count = c - s
            if dur > max_seconds or count > max_segments:
                break
            last_valid = c
            if soft is None and (dur >= target_seconds or count >= target_segments):
                soft = c
            c += 1
        planning: dict[str, Any] = {
            "strategy": "keyword",
            "target_window_seconds": target_seconds,
            "max_window_seconds": max_seconds,
            "max_segment_count": max_segments,
        }
        if last_valid == n:
            end_reason, cut = "transcript_end", n
            planning["candidate_cutpoints"] = []
        else:
            candidates = []
            for cc in range(soft or s + 1, last_valid + 1):
                if cc >= n:
                    break
                score, reasons = _cut_score(lines, cc, language)
                if score > 0:
                    candidates.append(
                        {
                            "segment_number": lines[cc].number,
                            "score": round(score, 3),
                            "reasons": reasons,
                            "text_excerpt": lines[cc].text[:120],
                            "_index": cc,
                        }
                    )
            eligible = [x for x in candidates if x["score"] >= 3.0]
            if eligible:
                best = max(eligible, key=lambda x: (x["score"], x["segment_number"]))
                cut, end_reason = best["_index"], "keyword_cut"
            else:
                cut = last_valid
                nxt_dur = lines[cut].end_seconds - lines[s].start_seconds
                too_long, too_many = nxt_dur > max_seconds, cut + 1 - s > max_segments
                end_reason = (
                    "fallback_max_seconds_and_segments"
                    if too_long and too_many
                    else "fallback_max_seconds"
                    if too_long
                    else "fallback_max_segments"
                    if too_many
                    else "fallback_max_seconds"
                )
            planning["candidate_cutpoints"] = [
                {k: v for k, v in x.items() if k != "_index"} for x in candidates[-20:]
            ]
        planning.update(
            actual_duration_seconds=round(lines[cut - 1].end_seconds - lines[s].start_seconds, 3),
            actual_segment_count=cut - s,
            end_reason=end_reason,
            chosen_cut_segment_number=lines[cut].number if cut < n else None,
        )
        out.append(WindowSpec(start=s, end=cut - 1, planning=planning))
        s = cut
    return out
