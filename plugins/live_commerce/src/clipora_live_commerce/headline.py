"""A product named as a headline: a sentence that opens with the name alone ("Car mount,
magnetic, clips on the vent." / "Next, cable pouch." / "水壶，一升的" / "最后一个，弹力带").

Terse hosts introduce a product this way rather than with "this X" or "next product", and
the name is then seldom said again, so a phrase heard once as a headline is worth as much
as one said several times in passing.
"""

from __future__ import annotations

import re
from functools import lru_cache

from clipora_live_commerce.engine import Language
from clipora_live_commerce.features import LineFeatures, _stem, is_cue_phrase
from clipora_live_commerce.wordclass import en_pos, zh_flags

_EN_LEAD = re.compile(
    r"^(?:(?:and|so|okay|ok|alright|right|now|then|next|next up|up next|first|first up|"
    r"last|last one|finally|moving on|number \w+)\s*[,:.!-]?\s+)+",
    re.I,
)
_EN_HEAD = re.compile(r"^([A-Za-z][\w'-]*(?:\s+-?[A-Za-z][\w'-]*){0,2})\s*(?:[,.:!;–—]|\s-\s)")
_ZH_LEAD = re.compile(
    r"^(?:(?:好|那|来|然后|再来|接着|接下来|下一[个款件条套样]|最后一[个款件条套样]|"
    r"第[一二三四五六七八九十0-9]+[个款件条套样号]|先看|再看|还有)[，,、 ]*)+"
)
# Words about the offer or the audience, never a product's name.
_ZH_SKIP = (
    "价格",
    "价钱",
    "链接",
    "福利",
    "福袋",
    "数量",
    "有限",
    "库存",
    "限量",
    "现货",
    "秒杀",
    "宝宝",
    "姐妹",
    "家人",
    "朋友",
    "大家",
    "主播",
    "问题",
)
_ZH_CLAUSE = re.compile(r"[，。！？、；,.!?;\s]+")
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_EN_SKIP = {
    "yes",
    "no",
    "yeah",
    "okay",
    "ok",
    "hi",
    "hello",
    "thanks",
    "thank",
    "guys",
    "everyone",
    "everybody",
    "welcome",
    "price",
    "prices",
    "question",
    "questions",
    "link",
    "sorry",
    "done",
    "right",
    "good",
    "great",
    "nice",
    "perfect",
    "honestly",
    "seriously",
    "shipping",
    "returns",
}


def headline(text: str, lang: Language, sentence_start: bool) -> str | None:
    """The name a line's sentence opens with, or None. ``sentence_start``: the line begins a
    sentence (the line before ended one); otherwise only sentences inside the line count."""
    if lang == "zh":
        return _zh_headline(text, sentence_start)
    return _en_headline(text, sentence_start)


def _selling_words(phrase: str, lang: Language) -> bool:
    from clipora_live_commerce import lexicon as lx

    price = lx.ZH_PRICE_WORDS if lang == "zh" else lx.EN_PRICE_WORDS
    return is_cue_phrase(phrase, lang) or bool(price.search(phrase))


def _sentences(text: str, sentence_start: bool, ends: str) -> list[str]:
    parts = re.split(rf"(?<=[{ends}])\s*", text.strip())
    return [p for k, p in enumerate(parts) if p and (k > 0 or sentence_start)]


def _en_headline(text: str, sentence_start: bool) -> str | None:
    for sent in _sentences(text, sentence_start, ".!?"):
        body = _EN_LEAD.sub("", sent)
        m = _EN_HEAD.match(body)
        if not m:
            continue
        words = [w.strip("-").lower() for w in m.group(1).split()]
        if _en_name(tuple(words)) and not _selling_words(" ".join(words), "en"):
            return " ".join(words)
    return None


@lru_cache(maxsize=65536)
def _en_name(words: tuple[str, ...]) -> bool:
    from clipora_live_commerce import lexicon as lx

    if not words or any(w in lx.EN_STOP or w in _EN_SKIP or len(w) < 3 for w in words):
        return False
    pos = en_pos(words[-1])
    return not pos or "NOUN" in pos or "PROPN" in pos


def _zh_headline(text: str, sentence_start: bool) -> str | None:
    for sent in _sentences(text, sentence_start, "。！？!?"):
        body = _ZH_LEAD.sub("", sent)
        clause = _ZH_CLAUSE.split(body, maxsplit=1)[0]
        if (
            2 <= len(clause) <= 5
            and _CJK.match(clause)
            and _zh_name(clause)
            and not _selling_words(clause, "zh")
        ):
            return clause
    return None


@lru_cache(maxsize=65536)
def _zh_name(clause: str) -> bool:
    from clipora_live_commerce import lexicon as lx

    if clause in lx.ZH_STOP or any(w in clause for w in _ZH_SKIP):
        return False
    flags = zh_flags(clause)
    # A pronoun, number, time word or verb-led clause is talk ("今天", "有人问"), not a name.
    if flags & {"r", "m", "t", "d", "p", "c", "u", "y", "e", "o", "ns"}:
        return False
    # Jieba reads a misheard name as a person's ("金墨墙" for 筋膜枪); a two-character one is
    # more often a viewer greeted by name.
    if "nr" in flags and len(clause) < 3:
        return False
    return bool(flags & {"n", "nz", "ng", "vn", "x", "eng", "nt", "nr"})


def mark_headlines(feats: list[LineFeatures], language: Language) -> None:
    """Set each line's headline: a name a sentence opens with, counted as one of its phrases."""
    prev_ends = True
    for f in feats:
        text = f.line.text.strip()
        found = headline(text, language, prev_ends)
        prev_ends = bool(text) and text[-1] in ".!?。！？"
        if found is None:
            continue
        if language != "zh":
            found = " ".join(_stem(w) for w in found.split())
        f.headline = found
        if found not in f.phrases:
            f.phrases.append(found)
