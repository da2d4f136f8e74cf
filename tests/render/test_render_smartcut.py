"""Smart cut details: copied AAC audio stays in sync, many windows do not drift off the plan,
and audio that cannot be copied is re-encoded. Also the full re-encode of more windows than one
ffmpeg process opens inputs for, which renders the clip in pieces."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from render_media import FPS, FRAME, decode_gray, ffmpeg, stream_durations
from render_support import BOX, render_clip, write_ass
from test_render_renderer import assert_in_sync

pytestmark = pytest.mark.slow

# Six windows of 25.5 frames each, every one holding a flash+beep at k+1.0 s: rounding every
# window on its own would add half a frame six times.
MANY = [(k + 0.5, k + 1.52) for k in range(2, 20, 3)]


@pytest.mark.parametrize("smart", [True, False], ids=["smart_cut", "reencode"])
def test_many_windows_stay_within_a_frame_of_the_plan(media, tmp_path: Path, smart: bool) -> None:
    # The full re-encode (burn-in, resizing) copies AAC audio the same way as smart cut.
    out = render_clip(media["main"], MANY, tmp_path / "many.mp4", smart_cut=smart)
    assert out.metadata["method"] == ("smart_cut" if smart else "reencode")
    # Six windows are more than one ffmpeg process opens inputs for (4): two pieces.
    assert smart or out.metadata["pieces"] == 2
    assert out.metadata["audio"] == "copied"
    assert out.metadata["audio_sync_error_ms"] <= 1024 / 48000 / 2 * 1000 + 0.1
    planned = sum(b - a for a, b in MANY)
    d = stream_durations(out.path)
    assert d["video"] == pytest.approx(planned, abs=FRAME)
    assert d["audio"] == pytest.approx(planned, abs=FRAME)
    assert d["frames"] == pytest.approx(planned * FPS, abs=1)
    assert_in_sync(out.path)


@pytest.mark.parametrize("smart", [True, False], ids=["smart_cut", "reencode"])
def test_audio_that_cannot_be_copied_is_reencoded(media, tmp_path: Path, smart: bool) -> None:
    # Six windows: the audio is decoded in two groups and encoded once (pieces.py).
    pcm = tmp_path / "pcm.mov"
    ffmpeg("-i", str(media["main"]), "-c:v", "copy", "-c:a", "pcm_s16le", str(pcm))
    out = render_clip(pcm, MANY, tmp_path / "clip.mp4", smart_cut=smart)
    assert out.metadata["method"] == ("smart_cut" if smart else "reencode")
    assert out.metadata["audio"] == "reencoded"
    assert "pcm_s16le" in out.metadata["audio_copy_skipped"]
    planned = sum(b - a for a, b in MANY)
    d = stream_durations(out.path)
    assert d["video"] == pytest.approx(planned, abs=FRAME)
    assert d["audio"] == pytest.approx(planned, abs=FRAME)
    assert_in_sync(out.path)


def test_pieces_burn_each_cue_on_its_own_frames(media, tmp_path: Path) -> None:
    """Burned in, the six windows render as two pieces, each encoded on its own. A cue from
    2.00 s to 4.00 s of the clip crosses from the first piece into the second: it must cover
    exactly frames 50-99, and every frame must show the same picture as smart cut does."""
    cue = write_ass(tmp_path / "cue.ass", [("0:00:02.00", "0:00:04.00", BOX)], outline=0)
    burned = render_clip(media["main"], MANY, tmp_path / "burned.mp4", burn=cue)
    assert burned.metadata["method"] == "reencode" and burned.metadata["pieces"] == 2
    first_piece = sum(w["frames"] for w in burned.metadata["windows"][:3])
    assert 50 < first_piece < 100
    plain = render_clip(media["main"], MANY, tmp_path / "plain.mp4")
    assert plain.metadata["method"] == "smart_cut"
    fb, fp = decode_gray(burned.path), decode_gray(plain.path)
    assert len(fb) == len(fp) == sum(w["frames"] for w in burned.metadata["windows"])

    def diff(i: int, rows: slice) -> float:
        return float(np.abs(fb[i][rows].astype(np.int16) - fp[i][rows].astype(np.int16)).mean())

    boxed = [i for i in range(len(fb)) if diff(i, slice(205, 225)) > 30]
    assert boxed == list(range(50, 100))
    assert max(diff(i, slice(20, 180)) for i in range(len(fb))) < 2.0
    d = stream_durations(burned.path)
    assert d["video"] == pytest.approx(sum(b - a for a, b in MANY), abs=FRAME)
    assert_in_sync(burned.path)


def test_pieces_at_another_playback_speed(media, tmp_path: Path) -> None:
    """At 1.25x the pieces' frame counts are rounded from the clip's running total, so the
    six windows still last their planned time / 1.25 within a frame, with sound in sync."""
    out = render_clip(media["main"], MANY, tmp_path / "fast.mp4", playback_speed=1.25)
    assert out.metadata["method"] == "reencode" and out.metadata["pieces"] == 2
    assert out.metadata["audio"] == "reencoded"
    frames = sum(w["frames"] for w in out.metadata["windows"])
    d = stream_durations(out.path)
    assert d["frames"] == pytest.approx(frames / 1.25, abs=1)
    assert d["video"] == pytest.approx(frames / FPS / 1.25, abs=FRAME)
    assert d["audio"] == pytest.approx(frames / FPS / 1.25, abs=FRAME)
    assert_in_sync(out.path)
