"""Word classes: the parts of speech an English word can take, jieba's flags for Chinese."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=65536)
def en_pos(word: str) -> frozenset[str]:
    from lemminflect import getAllLemmas

    return frozenset(getAllLemmas(word).keys())


@lru_cache(maxsize=65536)
def zh_flags(word: str) -> frozenset[str]:
    import jieba.posseg as pseg

    from clipora_live_commerce.features import _jieba

    _jieba()
    return frozenset(p.flag for p in pseg.lcut(word))
