"""The offline engine: product boundaries and clip plans with no network.

Discovery labels the whole transcript at once (``segmenter``): which lines are pitches, where one
product's pitch ends and the next begins, and which product each pitch is about (the seller's
list when given, else names heard in the speech). Clustering joins the pitches of one product
(a return to it later), by the product the segmenter recognised, else by name, deal price and
vocabulary. Item planning picks a strong self-contained sentence as the hook (an offer, a
benefit, the product named) and a continuous run of the pitch as the body.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

from clipora_live_commerce.engine import (
    ClusterGroup,
    ClusterPlan,
    ClusterRequest,
    DiscoverWindowRequest,
    IntervalCandidate,
    IntervalInfo,
    ItemPlan,
    Language,
    PlanItemRequest,
    SpanChoice,
    VariantChoice,
    WindowDiscovery,
)
from clipora_live_commerce.features import (
    LineFeatures,
    line_features,
)
from clipora_live_commerce.segmenter import segment

JOIN_SIMILARITY = 1.2  # name, deal price and vocabulary alike enough to be one product


class OfflineEngine:
    name = "offline"
    window_seconds: float | None = None  # the whole transcript in one request

    def __init__(self) -> None:
        pass

    def close(self) -> None:
        pass

    # --- discovery ------------------------------------------------------------------------------

    def discover_window(self, request: DiscoverWindowRequest) -> WindowDiscovery:
        lang = request.language
        lines = request.lines
        # A window cut from a longer transcript is read with the lines around it (the
        # product's name may be said just before the window starts); blocks keep to it.
        before = list(request.context_before)
        seen = [*before, *lines, *request.context_after]
        seg = segment(seen, lang, request.products)
        lo, hi = len(before), len(before) + len(lines) - 1
        for block in seg.blocks:
            block.first, block.last = max(block.first, lo) - lo, min(block.last, hi) - lo
        seg.blocks = [b for b in seg.blocks if b.first <= b.last]
        candidates: list[IntervalCandidate] = []
        for block in seg.blocks:
            product = seg.products[block.product]
            run = lines[block.first : block.last + 1]
            feats = [line_features(line, lang) for line in run]
            candidates.append(
                _candidate(
                    feats,
                    product.name,
                    lang,
                    listed_index=product.listed,
                    unlisted=bool(request.products) and product.listed is None,
                    product_key=(
                        f"listed:{product.listed}"
                        if product.listed is not None
                        else f"name:{product.discovered}"
                    ),
                    phrases=product.phrases,
                )
            )
        debug = {
            "strategy": "offline_segmenter",
            **seg.debug,
            "blocks": [
                {
                    "start_segment_number": lines[b.first].number,
                    "end_segment_number": lines[b.last].number,
                    "product": seg.products[b.product].name,
                }
                for b in seg.blocks
            ],
        }
        return WindowDiscovery(candidates=candidates, debug=debug)

    # --- clustering -----------------------------------------------------------------------------

    def cluster(self, request: ClusterRequest) -> ClusterPlan:
        """Intervals the segmenter gave one product key are one item; others (a key the
        segmenter could not give, e.g. intervals from separate windows) join by similarity."""
        lang = request.language
        groups: list[list[int]] = []
        by_key: dict[str, int] = {}
        sigs = [_signature(iv, lang) for iv in request.intervals]
        joins: list[dict[str, Any]] = []
        for i, iv in enumerate(request.intervals):
            key = iv.product_key
            if key and key in by_key:
                groups[by_key[key]].append(i)
                continue
            best, best_score = None, 0.0
            if not key.startswith("listed:"):
                # A listed product is recognised by its name; only unkeyed or discovered
                # intervals may join another group by how alike they are.
                for g, members in enumerate(groups):
                    if any(request.intervals[m].product_key.startswith("listed:") for m in members):
                        continue
                    s = max(_similarity(sigs[m], sigs[i], lang) for m in members)
                    if s > best_score:
                        best, best_score = g, s
            if best is not None and best_score >= JOIN_SIMILARITY:
                groups[best].append(i)
                joins.append(
                    {"interval_id": iv.id, "joined_group": best + 1, "score": round(best_score, 3)}
                )
                target = best
            else:
                groups.append([i])
                target = len(groups) - 1
            if key:
                by_key[key] = target
        out = []
        for members in groups:
            ivs = [request.intervals[m] for m in members]
            title = ivs[0].title
            summary = (
                ivs[0].summary
                if len(ivs) == 1
                else (
                    f"{ivs[0].summary}（共{len(ivs)}段）"
                    if lang == "zh"
                    else f"{ivs[0].summary} (revisited, {len(ivs)} parts)"
                )
            )
            out.append(
                ClusterGroup(interval_ids=[iv.id for iv in ivs], title=title, summary=summary)
            )
        return ClusterPlan(groups=out, debug={"strategy": "offline_product_keys", "joins": joins})

    # --- item planning --------------------------------------------------------------------------

    def plan_item(self, request: PlanItemRequest) -> ItemPlan:
        lang = request.language
        lines = request.lines
        feats = [line_features(line, lang) for line in lines]
        group_of = {lid: g for g, ids in enumerate(request.window_line_ids) for lid in ids}
        title_terms = _title_terms(request.title, lang)
        roles = _sentence_roles(feats, [_role(f, lang) for f in feats])
        hooks = _hook_candidates(feats, roles, title_terms, request, group_of)

        variants: list[VariantChoice] = []
        reasons: list[str] = []
        shapes: set[tuple] = set()
        used_lines: Counter[int] = Counter()
        hook_queue = list(hooks)
        for k in range(1, request.variants + 1):
            hook = hook_queue.pop(0) if hook_queue else None
            hook_idx = set(range(hook["a"], hook["b"] + 1)) if hook else set()
            body_idx = _pick_body(
                feats,
                roles,
                hook_idx,
                used_lines,
                request.body_target_seconds,
                title_terms,
                variant=k,
                group_of=group_of,
            )
            if not body_idx:
                reasons.append(f"variant {k}: no body lines left")
                break
            spans = _runs(sorted(body_idx), lines, group_of)
            shape = ((hook["a"], hook["b"]) if hook else None, tuple(spans))
            if shape in shapes:
                reasons.append(f"variant {k}: would repeat an earlier variant; stopped")
                break
            shapes.add(shape)
            used_lines.update(body_idx)
            body = [
                SpanChoice(
                    start_segment_id=lines[a].id,
                    end_segment_id=lines[b].id,
                    selling_point=_selling_point(feats[a : b + 1], roles[a : b + 1], lang),
                    reason=_span_reason(roles[a : b + 1]),
                )
                for a, b in spans
            ]
            hook_span = None
            if hook:
                hook_span = SpanChoice(
                    start_segment_id=lines[hook["a"]].id,
                    end_segment_id=lines[hook["b"]].id,
                    selling_point=_selling_point(
                        feats[hook["a"] : hook["b"] + 1], roles[hook["a"] : hook["b"] + 1], lang
                    ),
                    reason=hook["reason"],
                )
            points = [s.selling_point for s in body]
            variants.append(
                VariantChoice(
                    variant=str(k),
                    hook=hook_span,
                    body=body,
                    title=request.title,
                    summary=" | ".join(dict.fromkeys(points)),
                )
            )
        selling = list(dict.fromkeys(s.selling_point for v in variants for s in v.body))
        return ItemPlan(
            variants=variants,
            selling_points=selling,
            debug={
                "strategy": "offline_rules",
                "line_roles": [
                    {"segment_id": f.line.id, "role": r} for f, r in zip(feats, roles, strict=True)
                ],
                "hook_candidates": [
                    {
                        "start_segment_id": lines[h["a"]].id,
                        "end_segment_id": lines[h["b"]].id,
                        "score": round(h["score"], 3),
                        "reason": h["reason"],
                    }
                    for h in hooks
                ],
                "notes": reasons,
            },
        )


def rank_hooks(request: PlanItemRequest) -> list[SpanChoice]:
    """Self-contained hook lines of an item, best first (lines never shared between two), by the
    same rules ``plan_item`` uses: the analyzer falls back on them whatever the engine when the
    chosen hook has to move (the host is off screen during it)."""
    lang = request.language
    feats = [line_features(line, lang) for line in request.lines]
    group_of = {lid: g for g, ids in enumerate(request.window_line_ids) for lid in ids}
    roles = _sentence_roles(feats, [_role(f, lang) for f in feats])
    hooks = _hook_candidates(feats, roles, _title_terms(request.title, lang), request, group_of)
    return [
        SpanChoice(
            start_segment_id=request.lines[h["a"]].id,
            end_segment_id=request.lines[h["b"]].id,
            selling_point=_selling_point(
                feats[h["a"] : h["b"] + 1], roles[h["a"] : h["b"] + 1], lang
            ),
            reason=h["reason"],
        )
        for h in hooks
    ]


# --- discovery helpers -----------------------------------------------------------------------------


def _deal_price(block: list[LineFeatures], lang: Language) -> float | None:
    deal = re.compile(
        r"(?:只要|到手价?|还是|现在|今天)\s*([0-9]+(?:\.[0-9]+)?)"
        if lang == "zh"
        else r"\b(?:only|just|still|now)\s+\$?\s?(\d+(?:\.\d+)?)\b(?!\s*(?:hours?|minutes?|days?|left|more|of))",
        re.I,
    )
    from clipora_live_commerce.lexicon import zh_number

    for f in block:
        for m in deal.finditer(f.line.text):
            return float(m.group(1))
        if lang == "zh":
            for m in re.finditer(
                r"(?:只要|到手价?|还是)([一二两三四五六七八九十百千万]+)", f.line.text
            ):
                n = zh_number(m.group(1))
                if n:
                    return float(n)
    all_prices = [p for f in block for p in f.prices]
    return min(all_prices) if all_prices else None


def _candidate(
    block: list[LineFeatures],
    title: str,
    lang: Language,
    *,
    listed_index: int | None,
    unlisted: bool,
    product_key: str,
    phrases: list[str],
) -> IntervalCandidate:
    price = _deal_price(block, lang)
    price_text = _fmt_price(price, lang) if price else ""
    if lang == "zh":
        summary = f"主播介绍{title}" + (f"，直播间价格{price_text}" if price_text else "") + "。"
    else:
        summary = (
            f"The host pitches the {title}" + (f" at {price_text}" if price_text else "") + "."
        )
    keywords = list(dict.fromkeys([title, *phrases])) + [
        t for t, _ in Counter(t for f in block for t in f.tokens).most_common(12)
    ]
    if price:
        keywords.append(f"price:{price:g}")
    return IntervalCandidate(
        start_segment_number=block[0].line.number,
        end_segment_number=block[-1].line.number,
        title=title,
        summary=summary,
        keywords=list(dict.fromkeys(keywords)),
        listed_index=listed_index,
        unlisted=unlisted,
        product_key=product_key,
    )


def _fmt_price(price: float, lang: Language) -> str:
    return f"{price:g}元" if lang == "zh" else f"${price:g}"


# --- clustering helpers --------------------------------------------------------------------------


def _signature(iv: IntervalInfo, lang: Language) -> dict[str, Any]:
    feats = [line_features(line, lang) for line in iv.lines]
    price = next((float(k.split(":", 1)[1]) for k in iv.keywords if k.startswith("price:")), None)
    if price is None:
        price = _deal_price(feats, lang)
    return {
        "title": iv.title.strip().lower(),
        "tokens": Counter(t for f in feats for t in f.tokens),
        "price": price,
    }


def _similarity(a: dict[str, Any], b: dict[str, Any], lang: Language) -> float:
    score = 0.0
    ta, tb = a["title"], b["title"]
    if ta and tb:
        if ta == tb or ta in tb or tb in ta:
            score += 1.0
        elif lang == "zh":
            # ASR writes the same product with homophones (保温杯 / 宝温杯 / 宝文贝): compare sounds.
            pa, pb = _pinyin(ta), _pinyin(tb)
            if pa == pb or "".join(pa) in "".join(pb) or "".join(pb) in "".join(pa):
                score += 1.0
            else:
                common = len(set(pa) & set(pb))
                score += common / max(1, min(len(pa), len(pb)))
        else:
            wa, wb = set(ta.split()), set(tb.split())
            score += len(wa & wb) / max(1, min(len(wa), len(wb)))
    if a["price"] and b["price"] and abs(a["price"] - b["price"]) < 0.01:
        score += 0.6
    score += _cosine(a["tokens"], b["tokens"])
    return score


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(t, 0) for t, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def _pinyin(text: str) -> list[str]:
    from pypinyin import lazy_pinyin

    return [p for p in lazy_pinyin(text) if p.strip()]


# --- planning helpers ----------------------------------------------------------------------------

_ZH_BENEFIT = re.compile(
    r"非常|特别|一定要|超级|真的|不油腻|安静|滋润|保温|防水|降噪|舒服|好用|值|送|不会|就能|都不|一点都"
)
_EN_BENEFIT = re.compile(
    r"\b(?:super|perfect|really|completely|no lag|gone|keeps?|free|great|best|love|"
    r"amazing|easy|gentle|clear|quiet|leak.?proof|all day)\b",
    re.I,
)
_ZH_DANGLING = re.compile(r"^(?:它|那|对|而且|然后|还有|所以|但是|嗯|就是|这个|那个|也)")
_EN_DANGLING = re.compile(
    r"^(?:and|so|it|its|it's|they|them|but|also|then|um|uh|yes|which|because)\b", re.I
)


def _title_terms(title: str, lang: Language) -> list[str]:
    if not title:
        return []
    return [title.lower()] if lang == "zh" else [w for w in title.lower().split() if len(w) > 2]


def _mentions_title(f: LineFeatures, terms: list[str]) -> bool:
    text = f.line.text.lower()
    return any(t in text for t in terms)


def _is_aside(f: LineFeatures, lang: Language) -> bool:
    """Greetings, thanks, shipping, giveaways, the host's own life: not pitch, whatever the
    line's product words."""
    from clipora_live_commerce.lexicon_talk import patterns

    pats = patterns(lang)
    text = f.line.text.lower()
    groups = (
        pats.greeting,
        pats.thanks_follow,
        pats.shipping,
        pats.giveaway,
        pats.personal,
        pats.stream_meta,
        pats.goodbye,
    )
    return bool(f.filler) or any(p.search(text) for g in groups for p in g)


def _role(f: LineFeatures, lang: Language = "en") -> str:
    from clipora_live_commerce.lexicon_talk import patterns

    if patterns(lang).not_for_sale.search(f.line.text.lower()):
        return "filler"  # whatever it cost the host ("$4, thrifted, not from the shop")
    if _is_aside(f, lang) and not (f.has_price or f.cta):
        return "filler"
    if f.cta and not f.has_price:
        return "cta"
    if f.has_price:
        return "price"
    if f.start_cue:
        return "intro"
    return "feature"


def _hook_candidates(
    feats: list[LineFeatures],
    roles: list[str],
    terms: list[str],
    request: PlanItemRequest,
    group_of: dict[str, int],
) -> list[dict[str, Any]]:
    lang = request.language
    benefit = _ZH_BENEFIT if lang == "zh" else _EN_BENEFIT
    dangling = _ZH_DANGLING if lang == "zh" else _EN_DANGLING
    out: list[dict[str, Any]] = []
    for a in range(len(feats)):
        for b in (a, a + 1):
            if b >= len(feats) or group_of.get(feats[a].line.id) != group_of.get(feats[b].line.id):
                continue
            span = feats[a : b + 1]
            dur = span[-1].line.end_seconds - span[0].line.start_seconds
            if dur > request.hook_max_seconds or dur < 1.5:
                continue
            if b > a and (
                span[1].line.start_seconds - span[0].line.end_seconds > 1.0
                or (span[0].duration > 3.0 and _ends_sentence(feats, a))
            ):
                continue  # two lines only for a short lead-in ("Ready?") or one sentence
            if not (_starts_sentence(feats, a) and _ends_sentence(feats, b)):
                continue  # a hook is whole sentences, never half of one
            text = " ".join(f.line.text for f in span)
            score, why = 0.0, []
            if any(f.has_price for f in span):
                score += 2.0
                why.append("offer/price")
            n_benefit = len(benefit.findall(text))
            if n_benefit:
                score += min(2.0, n_benefit)
                why.append("benefit")
            if any(_mentions_title(f, terms) for f in span):
                score += 1.5
                why.append("names the product")
            if dangling.search(span[0].line.text.strip()):
                score -= 2.0
                why.append("not self-contained")
            if all(roles[i] in ("cta", "filler") for i in range(a, b + 1)):
                score -= 3.0
            if any(f.start_cue for f in span):
                score -= 1.5
            if dur < 3.0:
                score -= 1.0
            if 4.0 <= dur <= 10.0:
                score += 0.5
            if score <= 0.5:
                continue
            out.append(
                {
                    "a": a,
                    "b": b,
                    "score": score - 0.1 * (b - a),
                    "reason": ", ".join(why) or "strongest line",
                    "duration": dur,
                }
            )
    out.sort(key=lambda h: (-h["score"], h["a"], h["b"]))
    # Hooks of different variants must not share lines.
    chosen: list[dict[str, Any]] = []
    for h in out:
        if all(h["b"] < c["a"] or h["a"] > c["b"] for c in chosen):
            chosen.append(h)
    return chosen


# A second stretch of body, added to a short first one, must be a phrase the viewer can follow.
_MIN_EXTRA_RUN_SECONDS = 2.0


def _pick_body(
    feats: list[LineFeatures],
    roles: list[str],
    hook_idx: set[int],
    used: Counter[int],
    target: float,
    terms: list[str],
    variant: int,
    group_of: dict[str, int] | None = None,
) -> set[int]:
    """A body that reads as one continuous pitch: the best run of consecutive pitch lines
    (asides excluded, one item window) of about ``target`` seconds; a second run only when the
    first is much shorter than the target. Later variants prefer lines earlier ones left out."""
    group_of = group_of or {}
    n = len(feats)

    def value(i: int) -> float:
        f, r = feats[i], roles[i]
        v = {"feature": 2.0, "price": 3.0, "intro": 1.5, "cta": 1.0}.get(r, 0.0)
        v += 0.5 * _mentions_title(f, terms) + 0.1 * min(len(f.tokens), 10)
        return v - 1.5 * used[i]

    # Maximal runs of usable lines: no aside, no hook line, one item window.
    segments: list[list[int]] = []
    for i in range(n):
        ok = roles[i] != "filler" and i not in hook_idx
        if (
            ok
            and segments
            and segments[-1][-1] == i - 1
            and group_of.get(feats[i].line.id) == group_of.get(feats[i - 1].line.id)
        ):
            segments[-1].append(i)
        elif ok:
            segments.append([i])
    best: list[tuple[float, int, int]] = []
    for seg in segments:
        for x in range(len(seg)):
            if not _starts_sentence(feats, seg[x]) and x > 0:
                continue  # a body starts where a sentence does
            dur = 0.0
            total = 0.0
            for y in range(x, len(seg)):
                i = seg[y]
                dur = feats[i].line.end_seconds - feats[seg[x]].line.start_seconds
                total += value(i)
                if dur > target * 1.25 and y > x:
                    break
                if not _ends_sentence(feats, i) and y + 1 < len(seg):
                    continue  # ...and ends where one does
                if roles[i] == "intro" and y > x:
                    continue  # ...and not on a lead-in ("next product"), which leads nowhere
                fit = min(1.0, dur / target)
                # A body that starts mid-thought ("and it...") reads badly.
                opening = -1.5 if _dangles(feats[seg[x]]) else 0.0
                best.append((total * (0.5 + 0.5 * fit) + opening, seg[x], i))
    if not best:
        return set()
    best.sort(key=lambda t: (-t[0], t[1]))
    _, a, b = best[0]
    chosen = set(range(a, b + 1))
    spent = feats[b].line.end_seconds - feats[a].line.start_seconds
    if spent < 0.6 * target:
        for _, x, y in best[1:]:
            extra = set(range(x, y + 1))
            dur = feats[y].line.end_seconds - feats[x].line.start_seconds
            if extra & chosen or spent + dur > target * 1.25:
                continue
            if dur < _MIN_EXTRA_RUN_SECONDS or all(roles[i] == "intro" for i in extra):
                continue  # a flash of a word ("Ready?"), or a lead-in with nothing it leads to
            chosen |= extra
            spent += dur
            if spent >= 0.6 * target:
                break
    return chosen


_SENTENCE_END = re.compile(r"[.!?。！？…~～]['\"”’）)]*$")


def _ends_sentence(feats: list[LineFeatures], i: int) -> bool:
    if i + 1 >= len(feats) or _SENTENCE_END.search(feats[i].line.text.strip()):
        return True
    return feats[i + 1].line.start_seconds - feats[i].line.end_seconds >= 0.6


def _starts_sentence(feats: list[LineFeatures], i: int) -> bool:
    return i == 0 or _ends_sentence(feats, i - 1)


def _sentence_roles(feats: list[LineFeatures], roles: list[str]) -> list[str]:
    """The lines of one sentence split by the ASR play together: a tail ("really clear.")
    is never an aside on its own."""
    out = list(roles)
    start = 0
    for i in range(1, len(out) + 1):
        if i == len(out) or _starts_sentence(feats, i):
            kept = [r for r in out[start:i] if r != "filler"]
            if kept:
                out[start:i] = [r if r != "filler" else kept[0] for r in out[start:i]]
            start = i
    return out


def _dangles(f: LineFeatures) -> bool:
    text = f.line.text.strip()
    return bool(_ZH_DANGLING.search(text) or _EN_DANGLING.search(text))


def _runs(indexes: list[int], lines, group_of: dict[str, int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for i in indexes:
        if (
            runs
            and runs[-1][1] == i - 1
            and group_of.get(lines[i].id) == group_of.get(lines[i - 1].id)
        ):
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _selling_point(span: list[LineFeatures], roles: list[str], lang: Language) -> str:
    group = next((r for r in ("price", "feature", "intro", "cta") if r in roles), "feature")
    members = [f for f, r in zip(span, roles, strict=True) if r == group] or span
    text = max(members, key=lambda f: len(f.tokens)).line.text
    text = text.strip()
    limit = 24 if lang == "zh" else 80
    if len(text) > limit:
        text = text[:limit].rstrip() + "…"
    return f"{group}:{text}"


def _span_reason(roles: list[str]) -> str:
    return "+".join(dict.fromkeys(roles))
