"""Names of products the stream may be selling, found in the speech itself.

A phrase said several times within a couple of minutes, in talk that sells (prices, calls to
action, descriptions) rather than chats, that looks like a name (a rare noun rather than "big"
or a viewer's name), is a candidate. Spellings the ASR gives one name (宝文贝 / 保温杯) count as
one. Where a weaker phrase's burst lies inside a stronger one's, it is that product's
vocabulary ("the waistband" of a lounge set), not another product.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from clipora_live_commerce.engine import Language
from clipora_live_commerce.features import LineFeatures, opens_pitch
from clipora_live_commerce.product_nouns import is_product_noun
from clipora_live_commerce.wordclass import en_pos as _en_pos
from clipora_live_commerce.wordclass import zh_flags as _zh_flags


@dataclass
class Candidate:
    """A product the stream may be selling."""

    name: str  # listed name, or the phrase heard
    listed: int | None = None  # index in the seller's list
    phrases: list[str] = field(default_factory=list)  # discovered names (any spelling heard)
    marker: tuple[float, float] | None = None  # the platform's 讲解 span, when given
    score: float = 0.0  # how surely a discovered phrase names a product


# --- candidates from speech ---------------------------------------------------------------------

_EN_ANCHOR = re.compile(
    r"\b(?:this|these|the|our|called|it'?s an?|this is an?|these are|a)\s+((?:[A-Za-z][\w'-]*\s*){1,3})",
    re.I,
)
_ZH_ANCHOR = re.compile(
    r"(?:这款|这个|这件|这条|这双|这瓶|这套|这支|这盒|这把|这台|这只|这一款|这宽|这块|就是|叫)"
)


def _phrase_key(phrase: str, lang: Language) -> str:
    """Spellings of one name as ASR writes it (宝文贝 / 保温杯) share a key."""
    if lang != "zh":
        return phrase
    from clipora_live_commerce.names import _fuzzy, _zh_units

    return " ".join(_fuzzy(s) for s, _ in _zh_units(phrase))


@lru_cache(maxsize=65536)
def _zipf(word: str, lang: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, lang)


def name_likeness(phrase: str, lang: Language) -> float:
    """How much a phrase looks like a product's name: a rare noun head scores high, a common
    adjective ("big", "same") or a person's name low."""
    if lang == "zh":
        flags = _zh_flags(phrase)
        if flags & {"nr", "nrt", "ns", "t", "m", "r", "d", "p", "c", "u", "y", "e", "o"}:
            return 0.15
        if not flags & {"n", "nz", "ng", "vn", "nt", "x", "eng"}:
            return 0.35
        rarity = 6.2 - _zipf(phrase, "zh")
    else:
        words = phrase.split(" ")
        head = words[-1]
        pos = _en_pos(head)
        if pos and "NOUN" not in pos and "PROPN" not in pos:
            return 0.15
        rarity = 6.2 - min(_zipf(head, "en"), _zipf(phrase, "en") + 1.0)
        if len(words) > 1:
            rarity += 0.4
    score = max(0.1, min(1.6, rarity / 2.0))
    if is_product_noun(phrase, lang):
        score = max(score, 0.8) * 2.0
    return score


HEADLINE_BONUS = 1.0


def discover_candidates(
    feats: list[LineFeatures],
    lang: Language,
    selling: list[float],
    chat: list[float],
    max_candidates: int,
) -> list[Candidate]:
    """Phrases said in bursts inside selling talk, strongest first, one per burst of talk."""
    times = [f.line.start_seconds for f in feats]
    # "multi-tool" and "multitool", "power bank" and "powerbank": one name, however spaced.
    canon: dict[str, str] = {}

    def keyof(phrase: str) -> str:
        key = _phrase_key(phrase, lang)
        return key if lang == "zh" else canon.setdefault(key.replace(" ", ""), key)

    occ: dict[str, list[int]] = {}
    spell: dict[str, Counter[str]] = {}
    for i, f in enumerate(feats):
        for ph in set(f.phrases):
            key = keyof(ph)
            if not key:
                continue
            lines = occ.setdefault(key, [])
            if not lines or lines[-1] != i:
                lines.append(i)
            spell.setdefault(key, Counter())[ph] += 1
    anchored: Counter[str] = Counter()
    headlined: Counter[str] = Counter()
    for i, f in enumerate(feats):
        text = f.line.text
        pattern = _ZH_ANCHOR if lang == "zh" else _EN_ANCHOR
        for m in pattern.finditer(text):
            tail = (text[m.end() : m.end() + 8] if lang == "zh" else m.group(1)).lower()
            for ph in set(f.phrases):
                if tail.startswith(ph.split(" ")[0]):
                    anchored[keyof(ph)] += 1
        if f.headline:
            key = keyof(f.headline)
            anchored[key] += 1
            # Introduced: the first time the name is said, as a pitch opens.
            if occ[key][0] == i and opens_pitch(feats, i):
                headlined[key] += 1
    scored: list[tuple[float, str, tuple[int, int]]] = []
    for key, lines in occ.items():
        best = (1, lines[0], lines[0])
        a = 0
        for b in range(len(lines)):
            while times[lines[b]] - times[lines[a]] > 150.0:
                a += 1
            if b - a + 1 > best[0]:
                best = (b - a + 1, lines[a], lines[b])
        cnt, first, last = best
        if cnt < 2 and not anchored[key]:
            continue
        name = spell[key].most_common(1)[0][0]
        if (
            lang == "en"
            and " " not in name
            and not anchored[key]
            and not is_product_noun(name, lang)
        ):
            # A product is talked about as "this/the/our X" at least once; a lone word never
            # said so is a verb or a filler ("grab it", "so grab it out").
            continue
        burst = [i for i in lines if first <= i <= last]
        sell = sum(max(selling[max(0, i - 2) : i + 3]) for i in burst) / len(burst)
        chatty = sum(chat[i] for i in burst) / len(burst)
        spread = len(lines) / cnt  # said far outside its burst: a generic word
        name = spell[key].most_common(1)[0][0]
        score = (
            cnt
            * name_likeness(name, lang)
            * (0.5 + 0.5 * min(sell, 2.0))
            * (1.0 + 0.3 * min(anchored[key], 4))
            * (1.0 + HEADLINE_BONUS * min(headlined[key], 2))
            / (1.0 + 0.6 * chatty)
            / max(1.0, spread) ** 0.7
        )
        scored.append((score, key, (first, last)))
    # Names a sentence opens with go first, so a word said near one ("an aluminium case" in
    # the screwdriver kit's pitch) is taken as its vocabulary; they are not held to the cap.
    scored.sort(key=lambda x: (not headlined[x[1]], -x[0]))
    chosen: list[tuple[str, tuple[int, int], float]] = []
    capped = 0
    for score, key, (first, last) in scored:
        if score < 1.5:
            continue
        # A burst inside a stronger candidate's burst is that product's vocabulary.
        # Judged line by line, not by burst extent: a product said again later (a callback)
        # spans the products pitched between, which are not its vocabulary.
        mine = occ[key]
        covered = False
        for ckey, _, _ in chosen:
            if headlined[key] and not headlined[ckey]:
                # A name a sentence opens with introduces a product; it is not the
                # vocabulary of a name merely said near it.
                continue
            near = sum(1 for i in mine if any(abs(i - j) <= 2 for j in occ[ckey]))
            if near >= 0.6 * len(mine) or key in ckey or ckey in key:
                covered = True
                break
        if covered:
            continue
        chosen.append((key, (first, last), score))
        capped += not headlined[key]
        if capped >= max_candidates:
            break
    # "water" said mostly as part of "water bottle": the product is the water bottle.
    out = []
    for key, _, score in sorted(chosen, key=lambda c: c[1][0]):
        name = spell[key].most_common(1)[0][0]
        n = len(occ[key])
        longer = [
            k
            for k in occ
            if k != key
            and (k.startswith(key + " ") or k.endswith(" " + key) or (lang == "zh" and key in k))
            and len(occ[k]) >= 0.5 * n
            and name_likeness(spell[k].most_common(1)[0][0], lang) > name_likeness(name, lang)
        ]
        phrases = list(spell[key])
        if longer:
            best = max(longer, key=lambda k: len(occ[k]))
            name = spell[best].most_common(1)[0][0]
            phrases = list(spell[best]) + phrases
        out.append(Candidate(name=name, phrases=phrases, score=score))
    return out
