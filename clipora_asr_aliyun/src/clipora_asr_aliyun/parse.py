"""GetTaskResult's ``Result`` -> contract segments.

``Result.Sentences[]`` carry ``BeginTime``/``EndTime`` in milliseconds and ``Text``; with
``enable_words`` the words come as ``Result.Words[]`` (each with its sentence's ``ChannelId``), or,
in some versions, inside each sentence. Later stages rely on ordered, non-overlapping segments
with their words inside them, so that is enforced here, and nothing may end after the audio.
"""

from __future__ import annotations

from typing import Any

from clipora_core.api import RawSegment, RawWord, TranscriptSegment, normalize_segments

EPS = 1e-6
TEXT_KEYS = ("Text", "text", "Word", "word")
WORD_TEXT_KEYS = ("Word", "word", "Text", "text")
START_KEYS = ("BeginTime", "beginTime", "StartTime", "startTime")
END_KEYS = ("EndTime", "endTime")


def _first(entry: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for k in keys:
        if k in entry and entry[k] is not None:
            return entry[k]
    return None


def _ms(value: Any) -> float | None:
    try:
        v = float(value) / 1000.0
    except (TypeError, ValueError):
        return None
    return v if v == v and v >= 0 else None  # drops NaN and negatives


Span = tuple[float, float, str, Any]  # start, end, text, channel


def _span(entry: Any, text_keys: tuple[str, ...]) -> Span | None:
    if not isinstance(entry, dict):
        return None
    text = _first(entry, text_keys)
    start, end = _ms(_first(entry, START_KEYS)), _ms(_first(entry, END_KEYS))
    if text is None or start is None or end is None or not str(text).strip():
        return None
    return start, max(start, end), str(text).strip(), entry.get("ChannelId", entry.get("channelId"))


def _words(entries: Any) -> list[Span]:
    spans = [w for w in (_span(e, WORD_TEXT_KEYS) for e in entries or []) if w]
    return sorted(spans, key=lambda w: (w[0], w[1]))


def parse_result(result: Any, duration: float | None) -> list[TranscriptSegment]:
    if not isinstance(result, dict):
        return []
    sentences: list[tuple[Span, list[Span]]] = []
    for entry in result.get("Sentences") or []:
        span = _span(entry, TEXT_KEYS)
        if span:
            sentences.append((span, _words(entry.get("Words") or entry.get("words"))))
    sentences.sort(key=lambda s: (s[0][0], s[0][1]))
    loose_words = _words(result.get("Words") or result.get("words"))

    raw: list[RawSegment] = []
    for (s_start, s_end, text, channel), own in sentences:
        candidates = own or [
            w
            for w in loose_words
            if s_start - EPS <= (w[0] + w[1]) / 2 <= s_end + EPS
            and (channel is None or w[3] is None or w[3] == channel)
        ]
        raw.append(
            RawSegment(s_start, s_end, text, [RawWord(ws, we, wt) for ws, we, wt, _ in candidates])
        )
    # The core's shared rules: ordered, non-overlapping, words inside their segment, <= duration.
    return normalize_segments(raw, duration)
