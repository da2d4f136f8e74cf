"""Transcripts built from text and times, for unit tests of the live_commerce analyzer."""

from __future__ import annotations

from clipora_core.contracts import Transcript, TranscriptSegment, TranscriptWord

Script = list[tuple[str, float, float] | tuple[str, float]]


def build_transcript(
    script: Script, language: str | None = None, words: bool = False
) -> Transcript:
    """``script``: (text, speech seconds[, pause after]) per segment; times accumulate from 0.

    With ``words`` each segment gets evenly spread word timestamps that start 0.1 s late and end
    0.1 s early (as real ASR words sit inside their segment)."""
    t = 0.0
    segs = []
    for i, entry in enumerate(script, 1):
        text, dur = entry[0], entry[1]
        pause = entry[2] if len(entry) > 2 else 0.5
        ws: list[TranscriptWord] = []
        if words:
            parts = text.split() if " " in text else list(text)
            step = (dur - 0.2) / max(1, len(parts))
            ws = [
                TranscriptWord(
                    start_seconds=round(t + 0.1 + k * step, 3),
                    end_seconds=round(t + 0.1 + (k + 1) * step, 3),
                    text=p,
                )
                for k, p in enumerate(parts)
            ]
        segs.append(
            TranscriptSegment(
                id=f"seg-{i:04d}",
                start_seconds=round(t, 3),
                end_seconds=round(t + dur, 3),
                text=text,
                words=ws,
            )
        )
        t += dur + pause
    return Transcript(segments=segs, language=language, duration_seconds=round(t, 3))
