"""Long recordings are transcribed window by window: same words, same times as in one piece."""

from __future__ import annotations

import re
import wave

import pytest
from asr_media import RecordingProgress, asr_request, espeak, ffmpeg
from clipora_core.transcripts import check_invariants

pytestmark = pytest.mark.slow

SENTENCES = [
    "Welcome back to the live stream, everyone.",
    "This stainless steel water bottle keeps drinks cold for a whole day.",
    "The cotton hoodie comes in black, grey and navy blue.",
    "Our bamboo cutting board is easy to clean.",
    "Shipping is free for every order today.",
    "Remember to follow the channel for more deals.",
    "The wireless earbuds have a battery that lasts all week.",
    "This ceramic frying pan heats evenly and cleans in seconds.",
    "Tell your friends about the flash sale tonight.",
]
CLIP_SECONDS = 180.0
WINDOW_SECONDS = 60.0


def _words(transcript) -> list[tuple[str, float]]:
    out = []
    for seg in transcript.segments:
        for w in seg.words:
            text = re.sub(r"[^\w$]", "", w.text.lower())
            if text:
                out.append((text, w.start_seconds))
    return out


def _align(a: list[str], b: list[str]) -> tuple[int, list[tuple[int, int]]]:
    """Word edit distance and the index pairs of equal words on the best path (Levenshtein:
    difflib's longest-block matching misaligns text made of repeated sentences)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        prev, row = rows[-1], [i]
        for j in range(1, len(b) + 1):
            row.append(min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])))
        rows.append(row)
    pairs, i, j = [], len(a), len(b)
    while i and j:
        if rows[i][j] == rows[i - 1][j - 1] + (a[i - 1] != b[j - 1]):
            if a[i - 1] == b[j - 1]:
                pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif rows[i][j] == rows[i - 1][j] + 1:
            i -= 1
        else:
            j -= 1
    return rows[-1][-1], pairs


@pytest.fixture(scope="module")
def windowed_pair(tmp_path_factory, make_settings, local_backend_factory):
    """A 3-minute speech clip transcribed in one window and in 60-second windows."""
    tmp = tmp_path_factory.mktemp("asr-windows")
    rate = None
    frames = []
    for i, text in enumerate(SENTENCES):
        with wave.open(str(espeak(text, tmp / f"s{i}.wav"))) as w:
            rate = w.getframerate()
            frames.append(w.readframes(w.getnframes()))
    pcm = bytearray()
    i = 0
    while len(pcm) < CLIP_SECONDS * rate * 2:
        pcm += frames[i % len(frames)] + bytes(2 * int(rate * (0.6 + 0.5 * (i % 3))))
        i += 1
    del pcm[int(CLIP_SECONDS * rate) * 2 :]
    wav = tmp / "long.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(pcm))
    media = tmp / "long.m4a"
    ffmpeg("-i", str(wav), "-c:a", "aac", "-ar", "44100", str(media))
    runs = {}
    for window in (3600.0, WINDOW_SECONDS):
        settings = make_settings(
            **{
                "asr.local.chunk_seconds": window,
            }
        )
        progress = RecordingProgress()
        request = asr_request(media, settings, tmp, progress=progress)
        runs[window] = (
            local_backend_factory(settings).transcribe(request),
            progress,
            request.duration_seconds,
        )
    return runs[3600.0], runs[WINDOW_SECONDS]


def test_windows_are_cut_in_pauses_and_cover_the_clip(windowed_pair):
    _, (transcript, progress, duration) = windowed_pair
    windows = [m for m in progress.messages if "audio window" in m]
    assert len(windows) >= 3, progress.messages
    cuts = [float(re.search(r"'start': ([\d.]+)", m).group(1)) for m in windows[1:]]
    assert all(
        WINDOW_SECONDS * 0.7 < b - a <= WINDOW_SECONDS
        for a, b in zip([0.0, *cuts[:-1]], cuts, strict=True)
    )
    # No word straddles a cut: each cut lies in a pause.
    words = [w for s in transcript.segments for w in s.words]
    assert not [
        (c, w) for c in cuts for w in words if w.start_seconds + 0.05 < c < w.end_seconds - 0.05
    ]
    assert check_invariants(transcript.segments, duration) == []
    assert transcript.language == "en"
    # The language is detected once, on the first window, and reused after.
    assert sum("language detected" in m for m in progress.messages) == 1
    fractions = [d / t for d, t in progress.updates if t]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)


def test_windowed_transcript_matches_the_single_window_one(windowed_pair):
    (whole, _, _), (windowed, _, _) = windowed_pair
    a, b = _words(whole), _words(windowed)
    assert len(a) > 300
    distance, pairs = _align([w for w, _ in a], [w for w, _ in b])
    # Whisper's wording drifts a little with what precedes each 30 s (earbuds / ear buds, a
    # number in digits or words); losing words at the joins would cost far more.
    assert distance / len(a) <= 0.12, " ".join(w for w, _ in b)
    # No sentence is lost at a join: every segment of the one-window run has a counterpart.
    lost = [
        s.text
        for s in whole.segments
        if not any(
            t.start_seconds < s.end_seconds and s.start_seconds < t.end_seconds
            for t in windowed.segments
        )
    ]
    assert lost == []
    # Times in later windows are shifted back onto the media timeline (a word's own timing
    # wobbles by a few tenths of a second with its context).
    shifts = sorted(abs(a[i][1] - b[j][1]) for i, j in pairs)
    assert len(pairs) > 0.9 * len(a)
    assert shifts[len(shifts) // 2] < 0.1 and shifts[-1] < 2.0
    assert b[-1][1] > CLIP_SECONDS - 30
