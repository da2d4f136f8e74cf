"""Where a transcript line names a product of the seller's list, even when the ASR misheard it.

A shop's list names products the way a shop does ("316不锈钢真空保温杯 500ml", "Oversized Fleece
Hoodie - Unisex"); hosts say part of it ("保温杯", "the hoodie"), and Whisper writes what it
heard ("宝文贝"). Each listed product gives *terms*: its aliases, its name without specs, and the
parts of the name a host says (the head noun and the phrases that end in it; other name words
count as weaker evidence). A *mention* is a stretch of a line that sounds like a term: toneless
pinyin syllables for Mandarin, allowing the confusions of accents and of Whisper (zh/z, in/ing,
l/n...); spelling, plurals and a phonetic key for English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from clipora_core.api import Transcript

from clipora_live_commerce.engine import Language, ListedProduct

_CJK = re.compile(r"[\u4e00-\u9fff]")
_EN_TOKEN = re.compile(r"[A-Za-z][A-Za-z'-]*|\d+(?:\.\d+)?")
# Shop-list decoration that hosts do not say: sizes, counts, capacities, model numbers, brackets.
_ZH_SPEC = re.compile(
    r"[0-9]+(?:\.[0-9]+)?\s*[x×*]\s*[0-9]+(?:\.[0-9]+)?\s*(?:cm|mm|m|寸)?|[（(【\[].*?[）)】\]]|[0-9]+(?:\.[0-9]+)?\s*(?:ml|ML|l|L|g|kg|cm|mm|m|寸|件|片|支|只|个|瓶|袋|包|盒|斤|克|毫升|升|码|号|色|装|W|w|V|mah|mAh)?"
)
_EN_SPEC = re.compile(
    r"\b\d+(?:\.\d+)?\s*[x×*]\s*\d+(?:\.\d+)?\s*(?:in|inch|inches|cm|mm|ft|\")?|\(.*?\)|\[.*?\]|\b\d+(?:\.\d+)?\s*(?:oz|ml|l|lb|lbs|g|kg|in|inch|inches|cm|mm|ft|pack|pcs|pc|ct|count|piece|pieces|w|v|mah)?\b",
    re.I,
)
_EN_CUT = re.compile(r"\s[-–—|/]\s|[,:;&+]|\s(?:with|for|in|by)\s", re.I)
# Words shops add to names that never identify a product on their own.
ZH_GENERIC = {
    "新款",
    "正品",
    "官方",
    "旗舰店",
    "旗舰",
    "同款",
    "包邮",
    "女",
    "男",
    "女士",
    "男士",
    "女款",
    "男款",
    "儿童",
    "套装",
    "家用",
    "加厚",
    "大码",
    "秋冬",
    "春夏",
    "夏季",
    "冬季",
    "款",
    "升级",
    "网红",
    "爆款",
    "礼盒",
    "专用",
    "高端",
    "进口",
    "国产",
    "多色",
    "可选",
}
EN_GENERIC = {
    "the",
    "a",
    "an",
    "and",
    "of",
    "for",
    "with",
    "in",
    "by",
    "new",
    "set",
    "pack",
    "kit",
    "premium",
    "deluxe",
    "classic",
    "original",
    "edition",
    "unisex",
    "women",
    "womens",
    "women's",
    "men",
    "mens",
    "men's",
    "kids",
    "kid's",
    "size",
    "sizes",
    "color",
    "colors",
    "black",
    "white",
    "grey",
    "gray",
    "large",
    "small",
    "mini",
    "medium",
    "extra",
    "xl",
    "portable",
    "oversized",
    "ultra",
    "super",
    "pro",
    "plus",
    "max",
    "bundle",
    "gift",
}


@dataclass(frozen=True)
class Term:
    product: int  # index in the product list
    text: str  # the written form to use when the ASR misheard it
    units: tuple[str, ...]  # toneless pinyin syllables (zh) or word stems (en)
    weight: float  # 0..1: how surely this term alone points at its product
    head: bool  # the name itself, an alias or its head noun (not a modifier of it)


@dataclass(frozen=True)
class Mention:
    product: int
    term: Term
    start: int  # character offsets in the line's text
    end: int
    heard: str
    score: float  # 0..1: how alike the heard text and the term sound


# --- units -------------------------------------------------------------------------------------------


def _stem(word: str) -> str:
    w = word.lower().strip("'-")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("ches", "shes", "sses", "xes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


@lru_cache(maxsize=4096)
def _zh_units(text: str) -> tuple[tuple[str, int], ...]:
    """(syllable, char offset) of every CJK character; latin runs and digits are skipped."""
    from pypinyin import lazy_pinyin

    sylls = lazy_pinyin(text, errors=lambda s: list(s))
    if len(sylls) != len(text):  # never seen, but offsets would be wrong
        return tuple((lazy_pinyin(ch)[0], i) for i, ch in enumerate(text) if _CJK.match(ch))
    return tuple(
        (s, i) for i, (s, ch) in enumerate(zip(sylls, text, strict=True)) if _CJK.match(ch)
    )


def _en_units(text: str) -> list[tuple[str, int, int]]:
    return [(_stem(m.group(0)), m.start(), m.end()) for m in _EN_TOKEN.finditer(text)]


_INITIALS = (
    "zh",
    "ch",
    "sh",
    "b",
    "p",
    "m",
    "f",
    "d",
    "t",
    "n",
    "l",
    "g",
    "k",
    "h",
    "j",
    "q",
    "x",
    "r",
    "z",
    "c",
    "s",
    "y",
    "w",
)


def _split(s: str) -> tuple[str, str]:
    for i in _INITIALS:
        if s.startswith(i) and len(s) > len(i):
            return i, s[len(i) :]
    return "", s


_FUZZY_INITIAL = {"zh": "z", "ch": "c", "sh": "s", "l": "n", "r": "n", "f": "h"}
_FUZZY_FINAL = {
    "ing": "in",
    "eng": "en",
    "ang": "an",
    "ian": "an",
    "uan": "an",
    "iang": "an",
    "uang": "an",
    "ong": "en",
    "iong": "en",
}


@lru_cache(maxsize=8192)
def _fuzzy(s: str) -> str:
    i, f = _split(s)
    return _FUZZY_INITIAL.get(i, i) + _FUZZY_FINAL.get(f, f)


@lru_cache(maxsize=65536)
def syllable_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if _fuzzy(a) == _fuzzy(b):
        return 0.8
    ia, fa = _split(a)
    ib, fb = _split(b)
    if fa == fb or _FUZZY_FINAL.get(fa, fa) == _FUZZY_FINAL.get(fb, fb):
        return 0.45
    if ia and _FUZZY_INITIAL.get(ia, ia) == _FUZZY_INITIAL.get(ib, ib):
        return 0.3
    return 0.0


@lru_cache(maxsize=65536)
def word_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    import jellyfish
    from rapidfuzz.distance import Levenshtein

    ratio = Levenshtein.normalized_similarity(a, b)
    if len(a) > 2 and len(b) > 2 and jellyfish.metaphone(a) == jellyfish.metaphone(b):
        return max(0.85, ratio)
    return ratio if ratio >= 0.75 else 0.0


# --- terms -------------------------------------------------------------------------------------------


def _zh_core(name: str) -> str:
    return re.sub(r"\s+", "", _ZH_SPEC.sub(" ", name))


def _en_core(name: str) -> str:
    core = _EN_CUT.split(name)[0]
    return " ".join(_EN_SPEC.sub(" ", core).split())


def _zh_phrases(name: str) -> list[tuple[str, bool]]:
    """(phrase, is_head) candidates a host would say, from a Chinese listed name.

    A shop's title reads "[attributes][product] [specs...]" (福鼎白茶 2018年寿眉老白茶饼 357g):
    the head is the product noun ending its first part, or any product noun in it."""
    from clipora_live_commerce.features import jieba_words
    from clipora_live_commerce.product_nouns import is_product_noun

    def content_of(text: str) -> list[str]:
        toks = [t for t in jieba_words(_zh_core(text)) if _CJK.search(t)]
        return [t for t in toks if t not in ZH_GENERIC]

    core = _zh_core(name)
    content = content_of(name)
    if not content:
        return [(core, True)] if len(core) >= 2 else []
    first = next((c for c in name.split() if _CJK.search(c)), name)
    lead = content_of(first) or content
    out: list[tuple[str, bool]] = [("".join(content), True), ("".join(lead), True)]
    head_idx = (
        max(i for i, t in enumerate(lead) if len(t) >= 2)
        if any(len(t) >= 2 for t in lead)
        else len(lead) - 1
    )
    # The head noun and every phrase ending in it ("保温杯", "真空保温杯", ...).
    for a in range(head_idx, -1, -1):
        out.append(("".join(lead[a : head_idx + 1]), True))
    for t in content:
        if len(t) >= 2:
            out.append((t, is_product_noun(t, "zh")))
    # Runs of two tokens inside the name ("小白瓶", "云朵拖鞋" split oddly by jieba).
    for a in range(len(content) - 1):
        run = content[a] + content[a + 1]
        out.append((run, is_product_noun(run, "zh")))
    seen: dict[str, bool] = {}
    for p, head in out:
        if len(p) >= 2:
            seen[p] = seen.get(p, False) or head
    return list(seen.items())


def _en_phrases(name: str) -> list[tuple[str, bool]]:
    core = _en_core(name)
    words = [w for w in _EN_TOKEN.findall(core) if not w[0].isdigit()]
    content = [w for w in words if w.lower() not in EN_GENERIC]
    if not content:
        return [(core, True)] if core else []
    out: list[tuple[str, bool]] = [(" ".join(content), True)]
    head = len(content) - 1
    for a in range(head, -1, -1):
        out.append((" ".join(content[a : head + 1]), True))
    for n in (2, 3):
        for a in range(len(content) - n + 1):
            out.append((" ".join(content[a : a + n]), False))
    for w in content[:-1]:
        if len(w) > 3:
            out.append((w, False))
    seen: dict[str, bool] = {}
    for p, is_head in out:
        seen[p] = seen.get(p, False) or is_head
    return list(seen.items())


def _units_of(text: str, language: Language) -> tuple[str, ...]:
    if language == "zh":
        return tuple(s for s, _ in _zh_units(text))
    return tuple(u for u, _, _ in _en_units(text))


@lru_cache(maxsize=8192)
def _rarity(text: str, language: Language) -> float:
    """1 for a rare word or phrase, down to 0.15 for the most common ones (wordfreq's Zipf
    scale: 3 is a word seen once in a million, 6 once in a thousand)."""
    from wordfreq import zipf_frequency

    zipf = zipf_frequency(text.lower(), "zh" if language == "zh" else "en")
    return max(0.15, min(1.0, (6.3 - zipf) / 2.3))


def product_terms(names: list[list[str]], language: Language) -> list[Term]:
    """Terms of each product: ``names[i]`` is the listed name followed by its aliases."""
    raw: list[tuple[int, str, bool, bool]] = []  # product, text, head, alias
    for k, (name, *aliases) in enumerate(names):
        for alias in [name, *aliases]:
            if not alias.strip():
                continue
            phrases = _zh_phrases(alias) if language == "zh" else _en_phrases(alias)
            for text, head in phrases:
                raw.append((k, text, head, alias != name))
            if alias != name:
                raw.append((k, alias.strip(), True, True))
    # A phrase several products share ("面膜", "hoodie") tells them apart less well.
    owners: dict[tuple[str, ...], set[int]] = {}
    for k, text, _, _ in raw:
        owners.setdefault(_units_of(text, language), set()).add(k)
    whole = [{n.strip().lower() for n in group} for group in names]
    terms: dict[tuple[int, tuple[str, ...]], Term] = {}
    for k, text, head, alias in raw:
        units = _units_of(text, language)
        if len(units) < (2 if language == "zh" else 1):
            continue
        if language == "en" and len(units) == 1 and len(units[0]) < 3:
            continue
        shared = len(owners[units])
        length = len(units) if language == "zh" else len(units) + 1
        weight = (1.0 if head or alias else 0.55) * min(1.0, 0.55 + 0.15 * length) / shared
        # An everyday word ("top", "set", "颜色") says little about which product is meant;
        # a whole name or alias of several words the seller wrote ("water bottle") does.
        rarity = _rarity(text, language)
        if len(units) >= 2 and text.strip().lower() in whole[k]:
            rarity = max(rarity, 0.95)
        weight *= rarity
        if weight < 0.2:
            continue
        key = (k, units)
        old = terms.get(key)
        if old is None or weight > old.weight:
            terms[key] = Term(k, text, units, round(weight, 3), head or alias)
    return sorted(terms.values(), key=lambda t: (t.product, -len(t.units), t.text))


# --- mentions ----------------------------------------------------------------------------------------


def _zh_mentions(text: str, terms: list[Term], min_score: float) -> list[Mention]:
    units = _zh_units(text)
    if not units:
        return []
    sylls = [s for s, _ in units]
    fuzzy = [_fuzzy(s) for s in sylls]
    out: list[Mention] = []
    for term in terms:
        n = len(term.units)
        if n > len(sylls):
            continue
        tf = [_fuzzy(s) for s in term.units]
        for a in range(len(sylls) - n + 1):
            # Cheap gate: the first or last syllable must already sound alike.
            if fuzzy[a] != tf[0] and fuzzy[a + n - 1] != tf[-1]:
                continue
            sims = [syllable_similarity(sylls[a + i], term.units[i]) for i in range(n)]
            strong = sum(1 for s in sims if s >= 0.8)
            if strong * 2 < n + (1 if n <= 2 else 0):
                continue
            score = sum(sims) / n
            if score < min_score:
                continue
            start, end = units[a][1], units[a + n - 1][1] + 1
            heard = text[start:end]
            if heard == term.text:
                score = 1.0
            elif len(heard) != len(term.text) or n <= 2 and strong < 2:
                score *= 0.9
            if score >= min_score:
                out.append(Mention(term.product, term, start, end, heard, round(score, 3)))
    return out


def _en_mentions(text: str, terms: list[Term], min_score: float) -> list[Mention]:
    words = _en_units(text)
    if not words:
        return []
    stems = [w for w, _, _ in words]
    out: list[Mention] = []
    for term in terms:
        n = len(term.units)
        for width in {n, n - 1, n + 1} - {0}:
            if width > len(stems):
                continue
            for a in range(len(stems) - width + 1):
                window = stems[a : a + width]
                if width == n:
                    sims = [word_similarity(w, t) for w, t in zip(window, term.units, strict=True)]
                    if min(sims) < 0.5:
                        continue
                    # A lone short word only counts when spelt or sounding the same: "big"
                    # is not "bag".
                    if n == 1 and sims[0] < 0.85:
                        continue
                    score = sum(sims) / n
                else:
                    # "glowdrops" for "glow drops", "ear buds" for "earbuds".
                    from rapidfuzz.distance import Levenshtein

                    joined_a, joined_b = "".join(window), "".join(term.units)
                    score = Levenshtein.normalized_similarity(joined_a, joined_b)
                    if score < 0.85:
                        continue
                    score *= 0.95
                if score < min_score:
                    continue
                start, end = words[a][1], words[a + width - 1][2]
                out.append(
                    Mention(term.product, term, start, end, text[start:end], round(score, 3))
                )
    return out


def find_mentions(
    text: str, terms: list[Term], language: Language, min_score: float = 0.72
) -> list[Mention]:
    """Non-overlapping mentions in ``text``: where two candidates overlap, the longer and surer
    one wins."""
    found = (
        _zh_mentions(text, terms, min_score)
        if language == "zh"
        else _en_mentions(text, terms, min_score)
    )
    found.sort(key=lambda m: (-(m.score * m.term.weight * (1 + 0.2 * len(m.term.units))), m.start))
    taken: list[Mention] = []
    for m in found:
        if all(m.end <= o.start or m.start >= o.end for o in taken):
            taken.append(m)
    return sorted(taken, key=lambda m: m.start)


def normalise(
    text: str, mentions: list[Mention], min_score: float, language: Language
) -> tuple[str, list[dict]]:
    """``text`` with misheard product names written as listed; the edits made."""
    edits = []
    out = text
    for m in sorted(mentions, key=lambda m: -m.start):
        if m.score < min_score or m.term.weight < 0.5:
            continue
        heard = m.heard
        # One English word that merely sounds like a name is nearly always another word
        # ("got" for "coat", "which" for "wash"): only a name of several words is rewritten.
        if language == "en" and len(heard.split()) < 2:
            continue
        same = (
            heard == m.term.text
            if language == "zh"
            else ([_stem(w) for w in heard.lower().split()] == list(m.term.units))
        )
        if same:
            continue
        written = m.term.text
        if language == "en" and heard[:1].islower():
            written = written.lower()
        out = out[: m.start] + written + out[m.end :]
        edits.append({"heard": heard, "written": written, "score": m.score, "product": m.product})
    edits.reverse()
    return out, edits


# --- the seller's list in a transcript -------------------------------------------------------------

# Mentions at least this alike are written as listed (measured on the dev half of the corpus:
# below it, more correct words were changed than misheard names fixed).
FIX_MIN_SCORE = 0.85


def listed_products(products: object) -> list[ListedProduct]:
    """The job's ``ProductList`` (or None) as engines see it."""
    if products is None:
        return []
    return [
        ListedProduct(
            index=k,
            name=p.name,
            aliases=tuple(p.aliases),
            price=p.price,
            start_seconds=p.start_seconds,
            end_seconds=p.end_seconds,
        )
        for k, p in enumerate(getattr(products, "products", []))
    ]


def correct_names(
    transcript: Transcript, listed: list[ListedProduct], language: Language
) -> tuple[Transcript, list[dict]]:
    """``transcript`` with misheard product names written as the list has them, and the edits
    (segment id, heard, written, score). Word timings stay; a corrected stretch becomes one
    word spanning the words it replaced."""
    if not listed:
        return transcript, []
    terms = product_terms([[p.name, *p.aliases] for p in listed], language)
    edits: list[dict] = []
    segments = []
    for seg in transcript.segments:
        mentions = find_mentions(seg.text, terms, language)
        text, changes = normalise(seg.text, mentions, FIX_MIN_SCORE, language)
        if not changes:
            segments.append(seg)
            continue
        for c in changes:
            edits.append({"segment_id": seg.id, **c})
        segments.append(
            seg.model_copy(update={"text": text, "words": _respell_words(seg, changes)})
        )
    if not edits:
        return transcript, []
    text = " ".join(s.text.strip() for s in segments).strip()
    return transcript.model_copy(update={"segments": segments, "text": text}), edits


def _respell_words(seg: object, changes: list[dict]) -> list:
    """The segment's words with each corrected stretch as one word (timed from the first to
    the last word it covers), so word-timed captions show the listed name too."""
    out = list(getattr(seg, "words", []) or [])
    for c in changes:
        heard = c["heard"].replace(" ", "").lower()
        span = _word_span(out, heard)
        if span is None:
            continue
        a, b = span
        text = "".join(w.text.strip() for w in out[a : b + 1])
        flat = text.replace(" ", "")
        at = flat.lower().index(heard)
        new = flat[:at] + c["written"] + flat[at + len(heard) :]
        lead = " " if out[a].text.startswith(" ") else ""
        out[a : b + 1] = [
            out[a].model_copy(update={"text": lead + new, "end_seconds": out[b].end_seconds})
        ]
    return out


def _word_span(words: list, heard: str) -> tuple[int, int] | None:
    """First run of words whose joined text contains ``heard``."""
    for a in range(len(words)):
        flat = ""
        for b in range(a, min(len(words), a + 12)):
            flat += words[b].text.strip().replace(" ", "").lower()
            if heard in flat:
                return a, b
            if not heard.startswith(flat):
                break
    return None
