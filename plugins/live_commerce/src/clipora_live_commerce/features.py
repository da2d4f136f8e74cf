"""What the offline engine sees in one transcript line: cues, prices, topic tokens, name mentions."""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from clipora_live_commerce import lexicon as lx
from clipora_live_commerce.engine import Language, Line

_CJK = re.compile(r"[\u4e00-\u9fff]")
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d+(?:\.\d+)?")
_ZH_PUNCT = re.compile(r"[，。！？、；：,.!?;:\s\"'“”‘’（）()《》…~～-]+")
_jieba_lock = threading.Lock()


def detect_language(texts: list[str], declared: str | None = None) -> Language:
    if declared:
        code = declared.lower().split("-")[0].split("_")[0]
        if code in ("zh", "yue", "cmn"):
            return "zh"
        if code == "en":
            return "en"
    sample = "".join(texts)[:20000]
    cjk = len(_CJK.findall(sample))
    latin = len(re.findall(r"[A-Za-z]", sample))
    return "zh" if cjk >= max(1, latin // 3) else "en"


@lru_cache(maxsize=1)
def _jieba():
    import logging
    import warnings

    with warnings.catch_warnings():  # jieba 0.42 has invalid escapes in its regexes
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", SyntaxWarning)
        import jieba

    jieba.setLogLevel(logging.WARNING)
    with _jieba_lock:
        jieba.initialize()
    return jieba


def jieba_words(text: str) -> list[str]:
    return [w for w in _jieba().lcut(text) if w.strip()]


def tokens(text: str, language: Language) -> list[str]:
    """Content tokens: jieba words (Mandarin) or lower-cased words (English), stopwords removed."""
    if language == "zh":
        out = []
        for piece in _ZH_PUNCT.split(text):
            if not piece:
                continue
            for w in _jieba().lcut(piece):
                w = w.strip()
                if len(w) < 2 or w in lx.ZH_STOP or not _CJK.search(w):
                    continue
                if all(ch in lx.ZH_NUM_CHARS for ch in w):
                    continue
                out.append(w)
        return out
    words = [w.lower() for w in _EN_WORD.findall(text)]
    return [_stem(w) for w in words if len(w) > 2 and w not in lx.EN_STOP and not w[0].isdigit()]


def _stem(word: str) -> str:
    # Plurals only: enough to match "earbud"/"earbuds", "bottle"/"bottles".
    if word.endswith("'s"):
        return word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def phrases(text: str, language: Language, max_len: int = 3) -> list[str]:
    """Candidate product-name phrases: runs of 1..max_len adjacent content tokens."""
    out: list[str] = []
    if language == "zh":
        for piece in _ZH_PUNCT.split(text):
            toks = [w for w in _jieba().lcut(piece) if w.strip()]
            out.extend(
                _runs(
                    toks,
                    lambda w: (
                        len(w) >= 2
                        and w not in lx.ZH_STOP
                        and bool(_CJK.search(w))
                        and not all(ch in lx.ZH_NUM_CHARS for ch in w)
                    ),
                    "",
                    max_len,
                )
            )
        return out
    for piece in re.split(r"[,.!?;:]", text):
        toks = [w.lower() for w in _EN_WORD.findall(piece)]
        toks = [
            _stem(w) if len(w) > 2 and w not in lx.EN_STOP and not w[0].isdigit() else ""
            for w in toks
        ]
        out.extend(_runs(toks, bool, " ", max_len))
    return out


def _runs(toks: list[str], ok, sep: str, max_len: int) -> list[str]:
    out = []
    run: list[str] = []
    for t in toks + [""]:
        if t and ok(t):
            run.append(t)
            continue
        for i in range(len(run)):
            for n in range(1, max_len + 1):
                if i + n <= len(run):
                    out.append(sep.join(run[i : i + n]))
        run = []
    return out


def prices(text: str, language: Language) -> list[float]:
    found: list[float] = []
    pattern = lx.ZH_PRICE_AMOUNT if language == "zh" else lx.EN_PRICE_AMOUNT
    for m in pattern.finditer(text):
        raw = next((g for g in m.groups() if g), "")
        value: float | None
        try:
            value = float(raw)
        except ValueError:
            n = lx.zh_number(raw)
            value = float(n) if n is not None else None
        if value is not None and 0 < value < 1_000_000:
            found.append(value)
    # Whisper writes many prices as bare digits ("还需129，1号链接"): in a line that talks price or
    # links, a 2-5 digit number that is not a count, a measure or a grade (316不锈钢, 5000mAh)
    # is a price.
    if language == "zh" and (lx.ZH_PRICE_WORDS.search(text) or "链接" in text):
        for m in re.finditer(
            r"(?<![0-9.])([0-9]{2,5})(?![0-9.]|\s*(?:个|小时|毫升|升|单|%|款|号|倍|天|年|克|斤|件|寸|度|分钟|位|人|万|不锈钢|钢|毫米|厘米|米|公斤|瓦|毫安|[a-zA-Z]))",
            text,
        ):
            found.append(float(m.group(1)))
    # English speech often says "only 39" after a "$59": take bare numbers next to price words.
    if language == "en":
        for m in re.finditer(
            r"\b(?:only|just)\s+(\d+(?:\.\d+)?)\b(?!\s*(?:hours?|minutes?|days?|weeks?|left|more|of|pieces?))",
            text,
            re.I,
        ):
            found.append(float(m.group(1)))
    return found


@dataclass
class LineFeatures:
    line: Line
    tokens: list[str]
    phrases: list[str]
    start_cue: list[str] = field(default_factory=list)
    return_cue: list[str] = field(default_factory=list)
    cta: list[str] = field(default_factory=list)
    filler: list[str] = field(default_factory=list)
    price_words: bool = False
    prices: list[float] = field(default_factory=list)
    headline: str | None = None  # the phrase (as in ``phrases``) a sentence opens with

    @property
    def has_price(self) -> bool:
        return self.price_words or bool(self.prices)

    @property
    def duration(self) -> float:
        return max(0.0, self.line.end_seconds - self.line.start_seconds)


INTRO_PAUSE = 1.0  # seconds of silence that close a pitch before a product's name


def opens_pitch(feats: list[LineFeatures], i: int) -> bool:
    """Line i may open a pitch: the stream starts, the line before closed one (a price, the
    link), a pause, or a cue ("next")."""
    if i == 0:
        return True
    prev = feats[i - 1]
    pause = feats[i].line.start_seconds - prev.line.end_seconds
    return prev.has_price or bool(prev.cta) or pause >= INTRO_PAUSE or bool(feats[i].start_cue)


def _hits(patterns, text: str) -> list[str]:
    return [m.group(0) for p in patterns for m in [p.search(text)] if m]


def line_features(line: Line, language: Language) -> LineFeatures:
    text = line.text
    if language == "zh":
        return LineFeatures(
            line=line,
            tokens=tokens(text, language),
            phrases=phrases(text, language),
            start_cue=_hits(lx.ZH_START, text),
            return_cue=_hits(lx.ZH_RETURN, text),
            cta=_hits(lx.ZH_CTA, text),
            filler=_hits(lx.ZH_FILLER, text),
            price_words=bool(lx.ZH_PRICE_WORDS.search(text)),
            prices=prices(text, language),
        )
    return LineFeatures(
        line=line,
        tokens=tokens(text, language),
        phrases=phrases(text, language),
        start_cue=_hits(lx.EN_START, text),
        return_cue=_hits(lx.EN_RETURN, text),
        cta=_hits(lx.EN_CTA, text),
        filler=_hits(lx.EN_FILLER, text),
        price_words=bool(lx.EN_PRICE_WORDS.search(text)),
        prices=prices(text, language),
    )


def name_scores(
    feats: list[LineFeatures], language: Language, anchored: set[str] | None = None
) -> Counter[str]:
    """Score phrases as product names: said in several lines, longer phrases preferred,
    a phrase right after 这款/this/these counts extra."""
    per_line: Counter[str] = Counter()
    for f in feats:
        per_line.update(set(f.phrases))
    scores: Counter[str] = Counter()
    for phrase, n in per_line.items():
        if n < 2:
            continue
        length = len(phrase) if language == "zh" else phrase.count(" ") + 1
        bonus = 1.0 + 0.35 * (
            min(length, 4 if language == "zh" else 3) - (2 if language == "zh" else 1)
        )
        scores[phrase] = n * max(bonus, 0.6)
    intro = re.compile(
        r"这[款块宽件个]|就是" if language == "zh" else r"\b(?:this|these|the)\s+", re.I
    )
    for f in feats:
        for m in intro.finditer(f.line.text):
            tail = f.line.text[m.end() : m.end() + (8 if language == "zh" else 40)]
            for p in phrases(tail, language)[:6]:
                if p in scores and tail.lower().startswith(p.split(" ")[0]):
                    scores[p] += 1.5
                    if anchored is not None:
                        anchored.add(p)
    return scores


def best_name(feats: list[LineFeatures], language: Language, fallback: str = "") -> str:
    scores = name_scores(feats, language)
    if not scores:
        return fallback
    # Drop a phrase that is part of a better (longer) one with nearly the same count.
    ranked = scores.most_common()
    top, top_score = ranked[0]
    for phrase, score in ranked[1:6]:
        if top in phrase and score >= top_score * 0.6:
            top, top_score = phrase, score
    return top


def surface_name(name: str, texts: list[str], language: Language) -> str:
    """The spoken form of a (stemmed) English name phrase, e.g. "wireless earbud" -> "wireless earbuds"."""
    if language == "zh" or not name:
        return name
    pattern = re.compile(
        r"\b" + r"\s+".join(re.escape(w) + r"(?:e?s)?" for w in name.split()) + r"\b", re.I
    )
    found: dict[str, int] = {}
    for t in texts:
        for m in pattern.finditer(t):
            key = m.group(0).lower()
            found[key] = found.get(key, 0) + 1
    return max(found, key=lambda k: found[k]) if found else name


def is_cue_phrase(phrase: str, language: Language) -> bool:
    """True when a phrase is a selling cue (上链接, 扫脑衣 for 三二一, link...), not a product."""
    pats = (
        (lx.ZH_CTA + lx.ZH_START + lx.ZH_RETURN + lx.ZH_FILLER)
        if language == "zh"
        else (lx.EN_CTA + lx.EN_START + lx.EN_RETURN + lx.EN_FILLER)
    )
    return any(p.search(phrase) for p in pats)
