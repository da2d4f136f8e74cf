"""A clip's score: how ready it is to post, from what is said in it.

Six parts, each 0..1 with a short reason, weighted into a total of 0-100:

* ``hook``: the first seconds grab a viewer: speech starts at once, and it names the product,
  talks price or a deal, or points at the product ("这款", "look at this"), not a greeting;
* ``product_named``: the product's name (the seller's list, its aliases, else the item's title)
  is said, forgiving the recogniser's usual mishearings;
* ``price_stated``: a price is said (an amount, best the list's), or at least price talk;
* ``call_to_action``: the host tells viewers to buy ("链接", "拍下", "link", "add to cart"),
  best near the end;
* ``completeness``: the clip starts and ends between sentences, not in one, and is not padded
  with greetings, giveaways or shipping talk;
* ``length_fit``: its length is near the target (body target plus the clip's hook by default).

Everything here is pure (text, times and settings in, a score out) so it is tested on its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from clipora_core.api import ClipScore, ScorePart, TimeWindow

from clipora_live_commerce import lexicon as lx
from clipora_live_commerce.engine import Language, Line, ListedProduct, PlanItemRequest
from clipora_live_commerce.features import prices
from clipora_live_commerce.lexicon_talk import patterns
from clipora_live_commerce.names import find_mentions, listed_products, product_terms
from clipora_live_commerce.presence_plan import PlannedWindow
from clipora_live_commerce.settings import LiveCommerceSettings, ScoreSettings

PARTS = ("hook", "product_named", "price_stated", "call_to_action", "completeness", "length_fit")
HOOK_SECONDS = 5.0  # the opening a viewer decides in
CUT_TOLERANCE = 0.3  # a sentence reaching this far past a clip edge is cut
_QUESTION = re.compile(r"[?？!！]|吗|呢|怎么|为什么|\bwho\b|\bwhat\b|\bwhy\b|\bhow\b", re.I)
_SPACE = re.compile(r"[\s,，.。!！?？、:：;；'\"“”‘’-]+")


@dataclass(frozen=True)
class Heard:
    """Speech heard in a clip: ``seconds`` into the clip (played at speed 1)."""

    seconds: float
    text: str


@dataclass(frozen=True)
class Speech:
    heard: tuple[Heard, ...]
    cut_in: bool  # the clip starts inside a sentence
    cut_out: bool  # the clip ends inside one


def _line_text(line: Line, w: TimeWindow) -> tuple[float, str] | None:
    """The part of ``line`` inside window ``w``: its start and text (words by their middle)."""
    if line.end_seconds <= w.start_seconds or line.start_seconds >= w.end_seconds:
        return None
    if line.words:
        inside = [
            x
            for x in line.words
            if w.start_seconds <= (x.start_seconds + x.end_seconds) / 2 < w.end_seconds
        ]
        if not inside:
            return None
        if len(inside) == len(line.words):
            return max(inside[0].start_seconds, w.start_seconds), line.text
        sep = "" if _cjk(line.text) else " "
        text = sep.join(x.text.strip() for x in inside).strip()
        return max(inside[0].start_seconds, w.start_seconds), text
    overlap = min(line.end_seconds, w.end_seconds) - max(line.start_seconds, w.start_seconds)
    if overlap < 0.5 * (line.end_seconds - line.start_seconds):
        return None
    return max(line.start_seconds, w.start_seconds), line.text


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def clip_speech(windows: Sequence[TimeWindow], lines: Sequence[Line]) -> Speech:
    """What a clip playing ``windows`` (in order) says, from the transcript ``lines``."""
    heard: list[Heard] = []
    offset = 0.0
    for w in windows:
        for line in lines:
            part = _line_text(line, w)
            if part is not None and part[1]:
                heard.append(Heard(round(offset + part[0] - w.start_seconds, 3), part[1]))
        offset += w.duration
    if not windows:
        return Speech((), False, False)
    first, last = windows[0], windows[-1]
    cut_in = any(
        ln.start_seconds < first.start_seconds - CUT_TOLERANCE
        and ln.end_seconds > first.start_seconds + CUT_TOLERANCE
        for ln in lines
    )
    cut_out = any(
        ln.start_seconds < last.end_seconds - CUT_TOLERANCE
        and ln.end_seconds > last.end_seconds + CUT_TOLERANCE
        for ln in lines
    )
    return Speech(tuple(heard), cut_in, cut_out)


def _norm(text: str) -> str:
    return _SPACE.sub("", text.casefold())


def _names_said(texts: Sequence[str], names: Sequence[str], language: Language) -> int:
    """How many of ``texts`` say one of ``names`` (as written, or as the recogniser heard it)."""
    wanted = [_norm(n) for n in names if _norm(n)]
    if not wanted:
        return 0
    terms = product_terms([list(names)], language)
    count = 0
    for text in texts:
        flat = _norm(text)
        if any(n in flat for n in wanted) or (
            terms and any(m.score >= 0.85 for m in find_mentions(text, terms, language))
        ):
            count += 1
    return count


def _hits(pats: Sequence[re.Pattern[str]], text: str) -> list[str]:
    return [m.group(0) for p in pats for m in [p.search(text)] if m]


def _hook(speech: Speech, names: Sequence[str], language: Language) -> ScorePart:
    if not speech.heard:
        return ScorePart(value=0, weight=0, reason="nothing is said")
    first = speech.heard[0].seconds
    opening = [h.text for h in speech.heard if h.seconds < max(HOOK_SECONDS, first + 0.01)]
    text = " ".join(opening)
    talk = patterns(language)
    value = 0.0
    why: list[str] = []
    if first <= 1.0:
        value += 0.25
        why.append("speech starts at once")
    elif first <= 2.5:
        value += 0.1
        why.append(f"speech starts after {first:.1f}s")
    else:
        why.append(f"{first:.1f}s before anyone speaks")
    if _names_said([text], names, language):
        value += 0.35
        why.append("names the product")
    price_words = lx.ZH_PRICE_WORDS if language == "zh" else lx.EN_PRICE_WORDS
    if price_words.search(text) or prices(text, language):
        value += 0.2
        why.append("opens on price or a deal")
    starts = lx.ZH_START if language == "zh" else lx.EN_START
    if (
        _QUESTION.search(text)
        or _hits(starts, text)
        or _hits(talk.demonstrative, text.lower())
        or _hits(talk.attributes, text.lower())
    ):
        value += 0.2
        why.append("points at the product")
    if _hits([*talk.greeting, *talk.thanks_follow], text.lower() if language == "en" else text):
        value -= 0.3
        why.append("opens with a greeting or follow request")
    return ScorePart(value=round(min(1.0, max(0.0, value)), 3), weight=0, reason="; ".join(why))


def _product(speech: Speech, names: Sequence[str], language: Language) -> ScorePart:
    texts = [h.text for h in speech.heard]
    said = _names_said(texts, names, language)
    if said >= 2:
        return ScorePart(value=1.0, weight=0, reason=f"the name is said {said} times")
    if said == 1:
        return ScorePart(value=0.8, weight=0, reason="the name is said once")
    talk = patterns(language)
    if any(_hits(talk.demonstrative, t.lower()) for t in texts):
        return ScorePart(value=0.3, weight=0, reason="only 'this one', never the name")
    return ScorePart(value=0.0, weight=0, reason="the product is never named")


def _price(speech: Speech, price: float | None, language: Language) -> ScorePart:
    text = " ".join(h.text for h in speech.heard)
    amounts = prices(text, language)
    if amounts:
        said = ", ".join(f"{a:g}" for a in dict.fromkeys(amounts))
        if price is not None and not any(abs(a - price) <= max(0.5, price * 0.01) for a in amounts):
            return ScorePart(value=0.9, weight=0, reason=f"says {said}; the list says {price:g}")
        return ScorePart(value=1.0, weight=0, reason=f"says the price ({said})")
    words = lx.ZH_PRICE_WORDS if language == "zh" else lx.EN_PRICE_WORDS
    if words.search(text):
        return ScorePart(value=0.4, weight=0, reason="talks price or a deal, no amount")
    return ScorePart(value=0.0, weight=0, reason="no price")


def _cta(speech: Speech, duration: float, language: Language) -> ScorePart:
    pats = lx.ZH_CTA if language == "zh" else lx.EN_CTA
    found = [(h.seconds, hit) for h in speech.heard for hit in _hits(pats, h.text)]
    if not found:
        return ScorePart(value=0.0, weight=0, reason="no call to buy")
    late = [hit for t, hit in found if duration <= 0 or t >= 0.6 * duration]
    if late:
        return ScorePart(value=1.0, weight=0, reason=f"ends with a call to buy ({late[0]})")
    return ScorePart(value=0.7, weight=0, reason=f"calls to buy early ({found[0][1]})")


def _completeness(speech: Speech, language: Language) -> ScorePart:
    talk = patterns(language)
    value = 1.0
    why: list[str] = []
    if speech.cut_in:
        value -= 0.3
        why.append("starts mid-sentence")
    if speech.cut_out:
        value -= 0.3
        why.append("ends mid-sentence")
    if speech.heard:
        off = [
            h
            for h in speech.heard
            if _hits(
                [*talk.greeting, *talk.thanks_follow, *talk.giveaway, *talk.shipping],
                h.text.lower() if language == "en" else h.text,
            )
        ]
        share = len(off) / len(speech.heard)
        if share:
            value -= 0.4 * share
            why.append(f"{len(off)} of {len(speech.heard)} lines off the pitch")
    return ScorePart(
        value=round(max(0.0, value), 3),
        weight=0,
        reason="; ".join(why) or "whole sentences, on the pitch",
    )


def _length(duration: float, target: float) -> ScorePart:
    if target <= 0:
        return ScorePart(value=1.0, weight=0, reason="no target length")
    r = duration / target
    if r < 0.7:
        value = (r - 0.2) / 0.5
    elif r > 1.3:
        value = 1 - (r - 1.3) / 1.2
    else:
        value = 1.0
    return ScorePart(
        value=round(min(1.0, max(0.0, value)), 3),
        weight=0,
        reason=f"{duration:.0f}s against a target of {target:.0f}s",
    )


def score_clip(
    speech: Speech,
    *,
    language: Language,
    duration: float,
    target_seconds: float,
    names: Sequence[str],
    price: float | None,
    options: ScoreSettings,
) -> ClipScore:
    """The clip's score from what it says (``speech``), how long it is, and its product."""
    parts = {
        "hook": _hook(speech, names, language),
        "product_named": _product(speech, names, language),
        "price_stated": _price(speech, price, language),
        "call_to_action": _cta(speech, duration, language),
        "completeness": _completeness(speech, language),
        "length_fit": _length(duration, target_seconds),
    }
    weights = options.weights.model_dump()
    for name, part in parts.items():
        part.weight = float(weights[name])
    total_weight = sum(p.weight for p in parts.values())
    total = (
        100 * sum(p.value * p.weight for p in parts.values()) / total_weight
        if total_weight
        else 0.0
    )
    return ClipScore(total=round(min(100.0, max(0.0, total)), 1), parts=parts)


def score_segment(
    windows: Sequence[TimeWindow],
    lines: Sequence[Line],
    *,
    language: Language,
    product: ListedProduct | None,
    title: str,
    hook_seconds: float,
    body_target_seconds: float,
    options: ScoreSettings,
) -> ClipScore | None:
    """The score of a planned clip (None with scoring off): ``product`` from the seller's list
    when the item is one, else its ``title`` stands for the name."""
    if not options.enabled:
        return None
    names = [product.name, *product.aliases] if product is not None else [title] if title else []
    duration = sum(w.duration for w in windows)
    target = options.target_seconds or body_target_seconds + hook_seconds
    return score_clip(
        clip_speech(windows, lines),
        language=language,
        duration=duration,
        target_seconds=target,
        names=names,
        price=product.price if product is not None else None,
        options=options,
    )


def score_planned(
    play: Sequence[TimeWindow],
    planned: Sequence[PlannedWindow],
    request: PlanItemRequest,
    item_metadata: dict[str, Any],
    products: object,
    options: LiveCommerceSettings,
) -> ClipScore | None:
    """The analyzer's view: a variant's final windows (``play``), its planned hook and body
    windows, the item's request, and the job's product list."""
    listed = listed_products(products)
    k = item_metadata.get("listed_index")
    product = listed[k] if isinstance(k, int) and 0 <= k < len(listed) else None
    hook = sum(f.duration for p in planned if p.role == "hook" for f in p.frags)
    return score_segment(
        play,
        request.lines,
        language=request.language,
        product=product,
        title=request.title,
        hook_seconds=min(hook, float(options.hook_max_duration_seconds)),
        body_target_seconds=float(options.body_target_seconds),
        options=options.score,
    )
