"""The offline engine: product boundaries and clip plans by rules, with no network.

Discovery scores every gap between two transcript lines as a possible product change:
an introduction cue (下一款 / 第二款 / next product) or a return cue (刚才那个 / from earlier),
the end of a call to action (上链接 / link is up) before it, a pause, a drop in lexical
cohesion (TextTiling over jieba or English tokens) and a switch of the product name being
mentioned. Greetings, fillers and goodbyes outside products are cut out; spans without product
evidence (no name, price or call to action) are left uncovered.

Clustering joins intervals of the same product: same or similar name, the same deal price,
overlapping vocabulary. Item planning picks a strong self-contained sentence as the hook (an
offer, a benefit, the product named) and features, price and call to action as the body.
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
    best_name,
    is_cue_phrase,
    line_features,
    name_scores,
    surface_name,
)

BOUNDARY_THRESHOLD = 3.0
SUPPRESS_SECONDS = 6.0  # two product starts this close are one introduction
MIN_BLOCK_SECONDS = 6.0


class OfflineEngine:
    name = "offline"

    def __init__(self, settings: Any = None) -> None:
        self.settings = settings

    def close(self) -> None:
        pass

    # --- discovery ------------------------------------------------------------------------------

    def discover_window(self, request: DiscoverWindowRequest) -> WindowDiscovery:
        lang = request.language
        feats = [line_features(line, lang) for line in request.lines]
        anchored: set[str] = set()
        vocab = _name_vocab(feats, lang, anchored)
        mentions = [{n for n in vocab if n in set(f.phrases)} for f in feats]
        # Only names introduced as "这款X" / "this X" are trusted to mark a product switch.
        strong = [{n for n in m if n in anchored} for m in mentions]
        nonproduct = [_is_nonproduct(f, m) for f, m in zip(feats, mentions, strict=True)]
        sims = _cohesion(feats)
        depths = _depths(sims)

        scored: list[dict[str, Any]] = []
        for i in range(1, len(feats)):
            score, reasons = _boundary_score(feats, strong, depths, i)
            if score > 0:
                scored.append(
                    {
                        "segment_number": feats[i].line.number,
                        "index": i,
                        "score": round(score, 3),
                        "reasons": reasons,
                    }
                )
        cuts = _suppress([c for c in scored if c["score"] >= BOUNDARY_THRESHOLD], feats)

        blocks = _blocks(len(feats), {c["index"] for c in cuts}, nonproduct)
        blocks = _merge_same_product(blocks, feats, mentions, {c["index"] for c in cuts})
        candidates: list[IntervalCandidate] = []
        skipped: list[dict[str, Any]] = []
        for a, b in blocks:
            block = feats[a : b + 1]
            ok, why = _has_product_evidence(block, mentions[a : b + 1])
            if not ok:
                skipped.append(
                    {
                        "start_segment_number": block[0].line.number,
                        "end_segment_number": block[-1].line.number,
                        "reason": why,
                    }
                )
                continue
            candidates.append(_candidate(block, mentions[a : b + 1], lang))
        debug = {
            "strategy": "offline_rules",
            "names": [n for n, _ in vocab.most_common(12)],
            "nonproduct_segment_numbers": [
                f.line.number for f, np in zip(feats, nonproduct, strict=True) if np
            ],
            "boundary_scores": scored,
            "chosen_boundaries": [c["segment_number"] for c in cuts],
            "skipped_spans": skipped,
        }
        return WindowDiscovery(candidates=candidates, debug=debug)

    # --- clustering -----------------------------------------------------------------------------

    def cluster(self, request: ClusterRequest) -> ClusterPlan:
        lang = request.language
        sigs = [_signature(iv, lang) for iv in request.intervals]
        groups: list[list[int]] = []
        scores: list[dict[str, Any]] = []
        for i, sig in enumerate(sigs):
            best, best_score = None, 0.0
            for g, members in enumerate(groups):
                s = max(_similarity(sigs[m], sig, lang) for m in members)
                if s > best_score:
                    best, best_score = g, s
            if best is not None and best_score >= 0.8:
                groups[best].append(i)
                scores.append(
                    {
                        "interval_id": request.intervals[i].id,
                        "joined_group": best + 1,
                        "score": round(best_score, 3),
                    }
                )
            else:
                groups.append([i])
        out = []
        for members in groups:
            ivs = [request.intervals[m] for m in members]
            titles = Counter(iv.title for iv in ivs if iv.title)
            title = titles.most_common(1)[0][0] if titles else ivs[0].title
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
        return ClusterPlan(groups=out, debug={"strategy": "offline_similarity", "joins": scores})

    # --- item planning --------------------------------------------------------------------------

    def plan_item(self, request: PlanItemRequest) -> ItemPlan:
        lang = request.language
        lines = request.lines
        feats = [line_features(line, lang) for line in lines]
        group_of = {lid: g for g, ids in enumerate(request.window_line_ids) for lid in ids}
        title_terms = _title_terms(request.title, lang)
        roles = [_role(f) for f in feats]
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
    roles = [_role(f) for f in feats]
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


def _name_vocab(feats: list[LineFeatures], lang: Language, anchored: set[str]) -> Counter[str]:
    scores = name_scores(feats, lang, anchored)
    # Keep strong names only and drop a phrase that merely repeats part of a stronger one.
    # A phrase said mostly in greetings and small talk ("新来的宝宝") is not a product.
    in_filler: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for f in feats:
        ps = set(f.phrases)
        total.update(ps)
        if f.filler:
            in_filler.update(ps)
    ranked = [
        (n, s)
        for n, s in scores.most_common(40)
        if s >= 2.5 and not is_cue_phrase(n, lang) and in_filler[n] * 2 < total[n]
    ]
    keep: Counter[str] = Counter()
    for n, s in ranked:
        if any(n in k and keep[k] >= s * 0.8 for k in keep):
            continue
        keep[n] = s
        if len(keep) >= 20:
            break
    return keep


def _is_nonproduct(f: LineFeatures, mentions: set[str]) -> bool:
    if not f.filler:
        return False
    return not (f.has_price or f.cta or f.start_cue or f.return_cue or mentions)


def _cohesion(feats: list[LineFeatures], k: int = 3) -> list[float]:
    """sims[i]: similarity of the k lines before gap i with the k lines from line i on."""
    sims = [0.0] * len(feats)
    for i in range(1, len(feats)):
        left: Counter[str] = Counter()
        right: Counter[str] = Counter()
        for f in feats[max(0, i - k) : i]:
            left.update(f.tokens)
        for f in feats[i : i + k]:
            right.update(f.tokens)
        sims[i] = _cosine(left, right)
    return sims


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(t, 0) for t, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def _depths(sims: list[float]) -> list[float]:
    """TextTiling depth: how far a gap's similarity sits below the peaks on both sides."""
    n = len(sims)
    out = [0.0] * n
    for i in range(1, n):
        # Only a local minimum of similarity is a candidate topic change.
        if (i - 1 >= 1 and sims[i - 1] < sims[i]) or (i + 1 < n and sims[i + 1] < sims[i]):
            continue
        lp, j = sims[i], i
        while j - 1 >= 1 and sims[j - 1] >= lp:
            j -= 1
            lp = sims[j]
        rp, j = sims[i], i
        while j + 1 < n and sims[j + 1] >= rp:
            j += 1
            rp = sims[j]
        out[i] = (lp - sims[i]) + (rp - sims[i])
    return out


def _boundary_score(
    feats: list[LineFeatures], mentions: list[set[str]], depths: list[float], i: int
) -> tuple[float, list[str]]:
    f, prev = feats[i], feats[i - 1]
    score, reasons = 0.0, []
    if f.start_cue:
        score += 4.0
        reasons.append("intro:" + ",".join(f.start_cue))
    if f.return_cue:
        score += 3.0
        reasons.append("return:" + ",".join(f.return_cue))
    if prev.cta and not f.cta and not f.has_price:
        score += 1.5
        reasons.append("after_call_to_action")
    gap = f.line.start_seconds - prev.line.end_seconds
    if gap >= 1.5:
        score += min(2.0, gap / 1.5)
        reasons.append(f"pause:{gap:.1f}s")
    if depths[i] > 0.2:
        score += min(2.0, 2.0 * depths[i])
        reasons.append(f"cohesion_drop:{depths[i]:.2f}")
    before = set().union(*mentions[max(0, i - 3) : i]) if i else set()
    after = set().union(*mentions[i : i + 3])
    if f.cta and not (f.start_cue or f.return_cue):
        score -= 2.0
        reasons.append("call_to_action_closes_pitch")
    if mentions[i] and before and not (before & after) and not _overlapping_names(before, after):
        score += 2.0
        reasons.append("name_switch:" + ",".join(sorted(after))[:60])
    elif mentions[i] and mentions[i] & before and not f.start_cue and not f.return_cue:
        score -= 2.0
        reasons.append("same_name_continues")
    return score, reasons


def _overlapping_names(a: set[str], b: set[str]) -> bool:
    return any(x in y or y in x for x in a for y in b)


def _suppress(cuts: list[dict[str, Any]], feats: list[LineFeatures]) -> list[dict[str, Any]]:
    chosen: list[dict[str, Any]] = []
    for c in sorted(cuts, key=lambda c: (-c["score"], c["index"])):
        t = feats[c["index"]].line.start_seconds
        if any(abs(feats[o["index"]].line.start_seconds - t) < SUPPRESS_SECONDS for o in chosen):
            continue
        chosen.append(c)
    # Of two close cues the earlier one starts the introduction ("Alright, next product." then
    # "Number two is this face cream."): move a chosen cut back onto an earlier close cue.
    result = []
    for c in sorted(chosen, key=lambda c: c["index"]):
        earlier = [
            o
            for o in cuts
            if o["index"] < c["index"]
            and feats[c["index"]].line.start_seconds - feats[o["index"]].line.start_seconds
            < SUPPRESS_SECONDS
            and any(r.startswith(("intro", "return")) for r in o["reasons"])
        ]
        if earlier and not any(r is c for r in result):
            c = min(earlier, key=lambda o: o["index"])
        if not result or result[-1]["index"] != c["index"]:
            result.append(c)
    return result


def _blocks(n: int, cuts: set[int], nonproduct: list[bool]) -> list[tuple[int, int]]:
    blocks: list[tuple[int, int]] = []
    start: int | None = None
    for i in range(n):
        if nonproduct[i]:
            if start is not None:
                blocks.append((start, i - 1))
            start = None
            continue
        if start is not None and i in cuts:
            blocks.append((start, i - 1))
            start = None
        if start is None:
            start = i
    if start is not None:
        blocks.append((start, n - 1))
    return blocks


def _dominant(mentions: list[set[str]]) -> str | None:
    c: Counter[str] = Counter()
    for m in mentions:
        c.update(m)
    return c.most_common(1)[0][0] if c else None


def _merge_same_product(
    blocks: list[tuple[int, int]],
    feats: list[LineFeatures],
    mentions: list[set[str]],
    cuts: set[int],
) -> list[tuple[int, int]]:
    """Re-join two touching blocks about the same name when no introduction cue separates them."""
    out: list[tuple[int, int]] = []
    for a, b in blocks:
        if out:
            pa, pb = out[-1]
            f = feats[a]
            gap = f.line.start_seconds - feats[pb].line.end_seconds
            prev_names = set().union(*mentions[pa : pb + 1])
            names = set().union(*mentions[a : b + 1])
            same = _dominant(mentions[pa : pb + 1]) == _dominant(mentions[a : b + 1]) is not None
            short_prev = (
                pb - pa < 2 or feats[pb].line.end_seconds - feats[pa].line.start_seconds < 12.0
            )
            if (
                pb == a - 1
                and gap < 3.0
                and (
                    (same and not f.start_cue and not f.return_cue)
                    # A one-line lead-in ("...再问刚才那个保温杯") then the same product again.
                    or (
                        short_prev
                        and prev_names
                        and names
                        and _overlapping_names(prev_names, names)
                    )
                )
            ):
                out[-1] = (pa, b)
                continue
        out.append((a, b))
    return out


def _has_product_evidence(block: list[LineFeatures], mentions: list[set[str]]) -> tuple[bool, str]:
    duration = block[-1].line.end_seconds - block[0].line.start_seconds
    evidence = (
        sum(1 for m in mentions if m)
        + 2 * any(f.has_price for f in block)
        + any(f.cta for f in block)
        + any(f.start_cue or f.return_cue for f in block)
    )
    if duration < MIN_BLOCK_SECONDS and evidence < 3:
        return False, f"too short ({duration:.1f} s) for a product pitch"
    if evidence < 2:
        return False, "no product evidence (no repeated name, price or call to action)"
    return True, ""


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
    block: list[LineFeatures], mentions: list[set[str]], lang: Language
) -> IntervalCandidate:
    counts: Counter[str] = Counter()
    for m in mentions:
        counts.update(m)
    name = best_name(block, lang) or (counts.most_common(1)[0][0] if counts else "")
    if counts and (not name or name not in counts):
        top, n = counts.most_common(1)[0]
        if n >= 2 or not name:
            name = top
    if not name:
        toks = Counter(t for f in block for t in f.tokens)
        name = toks.most_common(1)[0][0] if toks else ("商品" if lang == "zh" else "product")
    title = surface_name(name, [f.line.text for f in block], lang)
    price = _deal_price(block, lang)
    price_text = _fmt_price(price, lang) if price else ""
    if lang == "zh":
        summary = f"主播介绍{title}" + (f"，直播间价格{price_text}" if price_text else "") + "。"
    else:
        summary = (
            f"The host pitches the {title}" + (f" at {price_text}" if price_text else "") + "."
        )
    keywords = [name] + [
        t for t, _ in Counter(t for f in block for t in f.tokens).most_common(12) if t != name
    ]
    if price:
        keywords.append(f"price:{price:g}")
    return IntervalCandidate(
        start_segment_number=block[0].line.number,
        end_segment_number=block[-1].line.number,
        title=title,
        summary=summary,
        keywords=keywords,
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


def _role(f: LineFeatures) -> str:
    if f.filler and not (f.has_price or f.cta):
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
                or span[0].duration > 3.0
            ):
                continue  # two lines only to complete a short lead-in ("Ready?", "好，")
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


def _pick_body(
    feats: list[LineFeatures],
    roles: list[str],
    hook_idx: set[int],
    used: Counter[int],
    target: float,
    terms: list[str],
    variant: int,
) -> set[int]:
    pool = [i for i in range(len(feats)) if i not in hook_idx and roles[i] != "filler"]
    if not pool:
        return set()
    total = sum(feats[i].duration for i in pool)
    if total <= target * 1.2 and variant == 1:
        return set(pool)

    def value(i: int) -> float:
        f, r = feats[i], roles[i]
        v = {"feature": 2.0, "price": 3.0, "intro": 1.0, "cta": 1.0}.get(r, 0.0)
        v += 0.5 * _mentions_title(f, terms) + 0.1 * min(len(f.tokens), 10)
        v -= 1.5 * used[i]  # later variants prefer what earlier ones left out
        return v

    chosen: set[int] = set()
    price = [i for i in pool if roles[i] == "price"]
    if price:
        chosen.add(max(price, key=value))
    cta = [i for i in pool if roles[i] == "cta" and (not chosen or i > min(chosen))]
    if cta:
        chosen.add(cta[0])
    spent = sum(feats[i].duration for i in chosen)
    for i in sorted(pool, key=lambda i: (-value(i), i)):
        if i in chosen:
            continue
        if spent >= target:
            break
        if spent + feats[i].duration > target * 1.25:
            continue
        chosen.add(i)
        spent += feats[i].duration
    return chosen


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
