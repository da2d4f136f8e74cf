"""Make raw ASR segments satisfy the transcript contract the later stages rely on.

Shared by every ASR backend (local models, imported subtitles, cloud services).

A recogniser can emit a segment starting a few ms before the previous one ends, words a little outside
their segment, and (rarely) times past the end of the audio. Downstream window planning assumes
none of that, so it is fixed here, once: segments ordered and non-overlapping, words inside their
segment and ordered, nothing after ``duration``, empty segments dropped, ids ``seg-0001``...
"""

from __future__ import annotations

from dataclasses import dataclass, field

from clipora_core.contracts import TranscriptSegment, TranscriptWord

EPS = 1e-6


@dataclass
class RawWord:
    start: float
    end: float
    text: str


@dataclass
class RawSegment:
    start: float
    end: float
    text: str
    words: list[RawWord] = field(default_factory=list)


def _r(t: float) -> float:
    return round(t, 3)


def normalize_segments(raw: list[RawSegment], duration: float | None) -> list[TranscriptSegment]:
    """Raw segments (already in time order) -> contract segments honouring every invariant."""
    limit = duration if duration and duration > 0 else float("inf")
    out: list[TranscriptSegment] = []
    prev_end = 0.0
    for seg in raw:
        text = seg.text.strip()
        if not text:
            continue
        start = min(max(seg.start, prev_end, 0.0), limit)
        end = min(max(seg.end, start), limit)
        if end - start < EPS:
            continue
        words: list[TranscriptWord] = []
        cursor = start
        for w in seg.words:
            word_text = w.text.strip()
            if not word_text:
                continue
            ws = min(max(w.start, cursor), end)
            we = min(max(w.end, ws), end)
            words.append(TranscriptWord(start_seconds=_r(ws), end_seconds=_r(we), text=word_text))
            cursor = we
        start_r, end_r = _r(start), _r(end)
        if duration and end_r > duration:
            end_r = duration
        # Rounding must not break ordering against the previous segment or the words.
        start_r = max(start_r, out[-1].end_seconds if out else 0.0)
        w_cursor = start_r
        for tw in words:
            tw.start_seconds = min(max(tw.start_seconds, w_cursor), end_r)
            tw.end_seconds = min(max(tw.end_seconds, tw.start_seconds), end_r)
            w_cursor = tw.end_seconds
        if end_r - start_r < EPS:
            continue
        out.append(
            TranscriptSegment(
                id=f"seg-{len(out) + 1:04d}",
                start_seconds=start_r,
                end_seconds=end_r,
                text=text,
                words=words,
            )
        )
        prev_end = end
    return out


def check_invariants(segments: list[TranscriptSegment], duration: float | None) -> list[str]:
    """Violations of the contract, as readable strings (empty when all hold). Used by tests."""
    problems: list[str] = []
    prev_end = 0.0
    for s in segments:
        if s.start_seconds < prev_end - EPS:
            problems.append(
                f"{s.id} starts at {s.start_seconds} before the previous end {prev_end}"
            )
        if s.end_seconds < s.start_seconds:
            problems.append(f"{s.id} ends before it starts")
        if duration and s.end_seconds > duration + EPS:
            problems.append(f"{s.id} ends at {s.end_seconds} after the duration {duration}")
        w_prev = s.start_seconds
        for w in s.words:
            if w.start_seconds < s.start_seconds - EPS or w.end_seconds > s.end_seconds + EPS:
                problems.append(f"{s.id} word {w.text!r} outside its segment")
            if w.start_seconds < w_prev - EPS or w.end_seconds < w.start_seconds:
                problems.append(f"{s.id} word {w.text!r} out of order")
            w_prev = w.end_seconds
        prev_end = s.end_seconds
    return problems


_SENTENCE_END = ".!?。！？…"
_CLAUSE_END = ",;:，；：、"
MIN_SENTENCE_SECONDS = 1.0  # a shorter sentence ("Yes.") stays with its neighbour
MAX_LINE_SECONDS = 12.0  # longer sentences are cut at a comma too


def _join(words: list[TranscriptWord]) -> str:
    out = ""
    for w in words:
        t = w.text
        cjk = bool(out) and (_is_cjk(out[-1]) or _is_cjk(t[0]))
        out += t if (not out or cjk) else " " + t
    return out


def _is_cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def _cut_points(words: list[TranscriptWord], marks: str) -> list[int]:
    """Indexes after which a piece may end (the word ends with one of ``marks``)."""
    return [i for i, w in enumerate(words[:-1]) if w.text and w.text[-1] in marks]


def _split_words(words: list[TranscriptWord]) -> list[list[TranscriptWord]]:
    pieces: list[list[TranscriptWord]] = []
    start = 0
    for i in _cut_points(words, _SENTENCE_END):
        left = words[start : i + 1]
        right = words[i + 1 :]
        if (
            left[-1].end_seconds - left[0].start_seconds >= MIN_SENTENCE_SECONDS
            and right[-1].end_seconds - right[0].start_seconds >= MIN_SENTENCE_SECONDS
        ):
            pieces.append(left)
            start = i + 1
    pieces.append(words[start:])
    out: list[list[TranscriptWord]] = []
    for piece in pieces:
        out.extend(_split_long(piece))
    return out


def _split_long(words: list[TranscriptWord]) -> list[list[TranscriptWord]]:
    """A long sentence cut at the comma nearest its middle, recursively."""
    if words[-1].end_seconds - words[0].start_seconds <= MAX_LINE_SECONDS:
        return [words]
    cuts = _cut_points(words, _CLAUSE_END)
    if not cuts:
        return [words]
    mid = (words[0].start_seconds + words[-1].end_seconds) / 2
    i = min(cuts, key=lambda k: abs(words[k].end_seconds - mid))
    return _split_long(words[: i + 1]) + _split_long(words[i + 1 :])


def split_sentences(segments: list[TranscriptSegment]) -> list[TranscriptSegment]:
    """One segment per sentence where the words' punctuation and times allow it.

    Recognisers often return 20-30 s segments when a speaker barely pauses; a livestream host
    changes products mid-segment, and a subtitle cue that long cannot be read. Segments
    without word times stay as they are. Ids are renumbered ``seg-0001``...
    """
    out: list[TranscriptSegment] = []
    for seg in segments:
        pieces = _split_words(seg.words) if len(seg.words) > 1 else [seg.words]
        if len(pieces) <= 1:
            out.append(seg.model_copy(update={"id": f"seg-{len(out) + 1:04d}"}))
            continue
        for k, piece in enumerate(pieces):
            start = seg.start_seconds if k == 0 else piece[0].start_seconds
            end = seg.end_seconds if k == len(pieces) - 1 else piece[-1].end_seconds
            out.append(
                TranscriptSegment(
                    id=f"seg-{len(out) + 1:04d}",
                    start_seconds=start,
                    end_seconds=max(end, start),
                    text=_join(piece),
                    words=piece,
                )
            )
    return out
