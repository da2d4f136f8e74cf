"""Smart cut details: copied AAC audio stays in sync, many windows do not drift off the plan,
and audio that cannot be copied is re-encoded."""

from __future__ import annotations

from pathlib import Path

import pytest
from render_media import FPS, FRAME, ffmpeg, stream_durations
from render_support import render_clip
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
    assert out.metadata["audio"] == "copied"
    assert out.metadata["audio_sync_error_ms"] <= 1024 / 48000 / 2 * 1000 + 0.1
    planned = sum(b - a for a, b in MANY)
    d = stream_durations(out.path)
    assert d["video"] == pytest.approx(planned, abs=FRAME)
    assert d["audio"] == pytest.approx(planned, abs=FRAME)
    assert d["frames"] == pytest.approx(planned * FPS, abs=1)
    assert_in_sync(out.path)


def test_audio_that_cannot_be_copied_is_reencoded(media, tmp_path: Path) -> None:
    pcm = tmp_path / "pcm.mov"
    ffmpeg("-i", str(media["main"]), "-c:v", "copy", "-c:a", "pcm_s16le", str(pcm))
    out = render_clip(pcm, MANY, tmp_path / "clip.mp4")
    assert out.metadata["method"] == "smart_cut"
    assert out.metadata["audio"] == "reencoded"
    assert "pcm_s16le" in out.metadata["audio_copy_skipped"]
    planned = sum(b - a for a, b in MANY)
    d = stream_durations(out.path)
    assert d["video"] == pytest.approx(planned, abs=FRAME)
    assert d["audio"] == pytest.approx(planned, abs=FRAME)
    assert_in_sync(out.path)
