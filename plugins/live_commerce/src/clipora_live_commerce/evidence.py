"""Numbers the offline engine weighs: per line, is this selling or chat; per gap between two
lines, does a new product start here.

Each feature is a count or a strength that a host's speech shows in any language (a price, a
call to action, a greeting, thanks for a follow, shipping talk, a pause, "next", the name being
talked about changing...); the patterns that find them are in ``lexicon_talk``. How much each
feature counts is learnt (``model.py``) from the development half of the benchmark corpus, never
from the test half.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from clipora_live_commerce import lexicon_talk as lt
from clipora_live_commerce.engine import Language
from clipora_live_commerce.features import LineFeatures

LINE_FEATURES = [
    "bias",
    "price",
    "cta",
    "attributes",
    "greeting",
    "thanks_follow",
    "shipping",
    "giveaway",
    "personal",
    "stream_meta",
    "goodbye",
    "viewer_reference",
    "demonstrative",
    "name_mention",
    "listed_mention",
    "log_tokens",
    "digits",
    "question",
    "cohesion",
    "ctx_selling",
    "ctx_chat",
    "ctx_name",
    "ctx_listed",
    "words",
    "ctx_words",
]
GAP_FEATURES = [
    "bias",
    "start_cue",
    "return_cue",
    "cta_before",
    "price_before",
    "pause",
    "long_pause",
    "lexical_drop",
    "name_change",
    "listed_change",
    "new_name_ahead",
    "discourse_marker",
    "chat_before",
    "chat_after",
    "selling_after",
    "marker_start",
    "new_headline",
]


@dataclass
class LineEvidence:
    selling: float
    chat: float
    vector: np.ndarray


def _count(patterns: list[re.Pattern[str]], text: str) -> int:
    return sum(len(p.findall(text)) for p in patterns)


def _cos(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(t, 0) for t, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def _window(counters: list[Counter[str]], a: int, b: int) -> Counter[str]:
    out: Counter[str] = Counter()
    for c in counters[max(0, a) : max(0, b)]:
        out.update(c)
    return out


def line_matrix(
    feats: list[LineFeatures],
    lang: Language,
    name_strength: list[float],
    listed_strength: list[float],
    word_weights: dict[str, float] | None = None,
) -> np.ndarray:
    """One row of ``LINE_FEATURES`` per line."""
    pats = lt.patterns(lang)
    n = len(feats)
    raw = np.zeros((n, len(LINE_FEATURES)))
    toks = [Counter(f.tokens) for f in feats]
    for i, f in enumerate(feats):
        text = f.line.text
        low = text.lower()
        row = raw[i]
        row[0] = 1.0
        row[1] = 1.0 if f.has_price else 0.0
        row[2] = min(2, len(f.cta))
        row[3] = min(3, _count(pats.attributes, low))
        row[4] = min(2, _count(pats.greeting, low))
        row[5] = min(2, _count(pats.thanks_follow, low))
        row[6] = min(2, _count(pats.shipping, low))
        row[7] = min(2, _count(pats.giveaway, low))
        row[8] = min(2, _count(pats.personal, low))
        row[9] = min(2, _count(pats.stream_meta, low))
        row[10] = min(2, _count(pats.goodbye, low))
        row[11] = min(2, _count(pats.viewer_reference, text))
        row[12] = min(3, _count(pats.demonstrative, low))
        row[13] = name_strength[i]
        row[14] = listed_strength[i]
        row[15] = math.log1p(len(f.tokens))
        row[16] = 1.0 if re.search(r"\d", text) else 0.0
        row[17] = 1.0 if re.search(r"[?？吗呢]", text) else 0.0
        row[18] = max(
            _cos(toks[i], _window(toks, i - 3, i)), _cos(toks[i], _window(toks, i + 1, i + 4))
        )
    selling = raw[:, 1] + raw[:, 2] + 0.5 * raw[:, 3]
    chat = raw[:, 4:12].sum(axis=1)
    for i in range(n):
        a, b = max(0, i - 2), min(n, i + 3)
        raw[i, 19] = selling[a:b].mean()
        raw[i, 20] = chat[a:b].mean()
        raw[i, 21] = raw[a:b, 13].mean()
        raw[i, 22] = raw[a:b, 14].mean()
    if word_weights:
        for i, f in enumerate(feats):
            raw[i, 23] = sum(word_weights.get(w, 0.0) for w in set(style_words(f, lang)))
        for i in range(n):
            a, b = max(0, i - 2), min(n, i + 3)
            raw[i, 24] = raw[a:b, 23].mean()
    return raw


def style_words(f: LineFeatures, lang: Language) -> list[str]:
    """The everyday words of a line ("you guys", "my", "it's", "这个", "宝宝们"): how a host
    talks when selling differs from how they chat, whatever the product."""
    from clipora_live_commerce.features import jieba_words

    if lang == "zh":
        words = [w for w in jieba_words(f.line.text) if not w.isspace()]
    else:
        words = re.findall(r"[a-z']+", f.line.text.lower())
    return [w for w in words if _common(w, lang)]


_COMMON: dict[tuple[str, str], bool] = {}


def _common(word: str, lang: str) -> bool:
    key = (word, lang)
    if key not in _COMMON:
        from wordfreq import zipf_frequency

        _COMMON[key] = zipf_frequency(word, lang) >= 4.5
    return _COMMON[key]


def gap_matrix(
    feats: list[LineFeatures],
    lang: Language,
    line_raw: np.ndarray,
    names: list[set[str]],
    listed: list[dict[int, float]],
    marker_starts: list[float],
) -> np.ndarray:
    """One row of ``GAP_FEATURES`` per line: the gap before it (row 0 is unused)."""
    pats = lt.patterns(lang)
    n = len(feats)
    raw = np.zeros((n, len(GAP_FEATURES)))
    toks = [Counter(f.tokens) for f in feats]
    selling = line_raw[:, 1] + line_raw[:, 2] + 0.5 * line_raw[:, 3]
    chat = line_raw[:, 4:12].sum(axis=1)
    for i in range(1, n):
        f, prev = feats[i], feats[i - 1]
        row = raw[i]
        row[0] = 1.0
        row[1] = 1.0 if f.start_cue else 0.0
        row[2] = 1.0 if f.return_cue else 0.0
        row[3] = 1.0 if (prev.cta and not f.cta) else 0.0
        row[4] = 1.0 if prev.has_price else 0.0
        gap = max(0.0, f.line.start_seconds - prev.line.end_seconds)
        row[5] = min(gap, 5.0) / 5.0
        row[6] = 1.0 if gap >= 3.0 else 0.0
        row[7] = 1.0 - _cos(_window(toks, i - 4, i), _window(toks, i, i + 4))
        left = set().union(*names[max(0, i - 4) : i])
        right = set().union(*names[i : i + 4])
        row[8] = 1.0 if (left and right and not left & right) else 0.0
        lk = Counter()
        rk = Counter()
        for d in listed[max(0, i - 4) : i]:
            lk.update(d)
        for d in listed[i : i + 4]:
            rk.update(d)
        if lk and rk:
            row[9] = 1.0 if lk.most_common(1)[0][0] != rk.most_common(1)[0][0] else -1.0
        ahead = set().union(*names[i : i + 3])
        before = set().union(*names[max(0, i - 8) : i])
        row[10] = 1.0 if ahead - before else 0.0
        row[11] = 1.0 if pats.discourse_start.search(f.line.text.strip().lower()) else 0.0
        row[12] = chat[i - 1]
        row[13] = chat[i]
        row[14] = selling[i : i + 3].mean()
        t = f.line.start_seconds
        row[15] = (
            1.0 if any(prev.line.start_seconds - 6 <= m <= t + 6 for m in marker_starts) else 0.0
        )
        # A sentence opening with a name not said just before: a product introduced.
        if f.headline:
            said = {p for g in feats[max(0, i - 6) : i] for p in g.phrases}
            row[16] = 0.0 if f.headline in said else 1.0
    return raw


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))
