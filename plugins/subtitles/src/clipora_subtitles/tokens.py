"""Timed tokens: the smallest pieces of a transcript segment a subtitle line can break between.

With word timestamps a token is an ASR word (its own times). Without them the segment text is
split into CJK characters and Latin words, and the segment's duration is shared out by display
width, which is the best estimate of when each piece is spoken.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from clipora_core.api import TranscriptSegment

# Punctuation after which a line may end: sentence ends always break, pauses break when the
# line is long enough to stand alone.
SENTENCE_END = set("。！？；!?;…")
PAUSE = set("，、,:：")
# Dropped from the end of a CJK line: Chinese subtitles separate phrases by line, not by commas.
CJK_TRAILING_DROP = set("，。、；：")


def is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x3400 <= cp <= 0x4DBF
        or 0x4E00 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x2FFFF
        or 0x3040 <= cp <= 0x30FF  # kana
        or 0xAC00 <= cp <= 0xD7AF  # hangul
        or 0x3000 <= cp <= 0x303F  # CJK punctuation
        or 0xFF00 <= cp <= 0xFFEF  # full-width forms
    )


def is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P") or ch in "…"


@dataclass
class Token:
    text: str  # without surrounding spaces
    start: float
    end: float
    space_before: bool = False

    @property
    def mid(self) -> float:
        return (self.start + self.end) / 2

    def ends_sentence(self) -> bool:
        return _last_char_in(self.text, SENTENCE_END) or (
            self.text.endswith(".") and not is_cjk(self.text[0]) and len(self.text) > 1
        )

    def ends_pause(self) -> bool:
        return _last_char_in(self.text, PAUSE)


def _last_char_in(text: str, chars: set[str]) -> bool:
    stripped = text.rstrip("\"'”’」』)）")
    return bool(stripped) and stripped[-1] in chars


def width(text: str, latin_ratio: float) -> float:
    """Display width in CJK character units: a Latin character counts ``latin_ratio``."""
    return sum(1.0 if is_cjk(ch) else latin_ratio for ch in text)


def _split_text(text: str) -> list[tuple[str, bool]]:
    """Split into (piece, space_before) pairs: CJK chars one by one, Latin words whole."""
    pieces: list[tuple[str, bool]] = []
    space = False
    buf = ""
    for ch in text:
        if ch.isspace():
            if buf:
                pieces.append((buf, space))
                buf = ""
            space = True
            continue
        if is_cjk(ch) and not is_punct(ch):
            if buf:
                pieces.append((buf, space))
                space = False
            buf = ""
            pieces.append((ch, space))
            space = False
        elif is_punct(ch) and not buf and pieces and not space:
            # Punctuation hangs on the piece before it (never starts a line).
            prev, sp = pieces[-1]
            pieces[-1] = (prev + ch, sp)
        else:
            if buf and is_cjk(buf[-1]) != is_cjk(ch) and not is_punct(ch):
                pieces.append((buf, space))
                space = False
                buf = ""
            buf += ch
    if buf:
        pieces.append((buf, space))
    return [(p, s) for p, s in pieces if p]


def _spread(
    pieces: list[tuple[str, bool]], start: float, end: float, latin_ratio: float
) -> list[Token]:
    weights = [max(width(p, latin_ratio), 0.1) for p, _ in pieces]
    total = sum(weights) or 1.0
    duration = max(end - start, 0.0)
    out: list[Token] = []
    t = start
    for (text, space), w in zip(pieces, weights, strict=True):
        t_end = t + duration * w / total
        out.append(Token(text, t, t_end, space))
        t = t_end
    if out:
        out[-1].end = end
    return out


def _attach_text_punctuation(words: list[Token], text: str) -> list[Token]:
    """Copy punctuation from the segment text onto unpunctuated ASR words.

    Some ASR services punctuate the segment text but not the words. Walk both; on any mismatch
    (numbers written differently, edited text) keep the words as they are.
    """
    if any(any(is_punct(c) for c in w.text) for w in words):
        return words
    flat: list[tuple[str, int]] = [
        (c.lower(), i) for i, w in enumerate(words) for c in w.text if not c.isspace()
    ]
    extra: dict[int, str] = {}
    pos = 0
    for ch in text:
        if ch.isspace():
            continue
        if is_punct(ch):
            if pos > 0:
                idx = flat[pos - 1][1]
                extra[idx] = extra.get(idx, "") + ch
            continue
        if pos < len(flat) and flat[pos][0] == ch.lower():
            pos += 1
            continue
        return words
    if pos != len(flat):
        return words
    return [
        Token(w.text + extra.get(i, ""), w.start, w.end, w.space_before)
        for i, w in enumerate(words)
    ]


def segment_tokens(segment: TranscriptSegment, latin_ratio: float, max_width: float) -> list[Token]:
    """Timed tokens of one transcript segment (word timestamps when present)."""
    words = [w for w in segment.words if w.text.strip()]
    if not words:
        text = " ".join(segment.text.split())
        return _spread(_split_text(text), segment.start_seconds, segment.end_seconds, latin_ratio)
    tokens: list[Token] = []
    prev_text = ""
    seg_text = segment.text
    cursor = 0
    for w in words:
        raw = w.text
        stripped = raw.strip()
        # The segment text knows the real spacing ("199" split into "19" + "9" has none);
        # otherwise Whisper marks word starts with a leading space, and bare words from other
        # ASRs need a space only between two Latin words.
        found = seg_text.find(stripped, cursor)
        if found >= 0 and tokens:
            space = any(c.isspace() for c in seg_text[cursor:found])
            cursor = found + len(stripped)
        else:
            if found >= 0:
                cursor = found + len(stripped)
            space = raw[:1].isspace() or bool(
                prev_text
                and not is_cjk(prev_text[-1])
                and not is_cjk(stripped[0])
                and not is_punct(stripped[0])
            )
        start = w.start_seconds
        end = max(w.end_seconds, start)
        tokens.append(Token(stripped, start, end, space and bool(tokens)))
        prev_text = stripped
    tokens = _attach_text_punctuation(tokens, segment.text)
    # A word wider than a whole line (long number runs, unsegmented CJK) is cut into pieces.
    out: list[Token] = []
    for tok in tokens:
        if width(tok.text, latin_ratio) <= max_width:
            out.append(tok)
            continue
        pieces = _split_text(tok.text)
        if len(pieces) == 1:
            pieces = [(c, False) for c in tok.text]
        spread = _spread(pieces, tok.start, tok.end, latin_ratio)
        spread[0].space_before = tok.space_before
        out.extend(spread)
    return out


def join_tokens(tokens: list[Token]) -> str:
    text = ""
    for tok in tokens:
        text += (" " if tok.space_before and text else "") + tok.text
    return text
