"""Windows cut inside one stretch of speech (a filler word taken out) join with short audio
fades, so the cut does not click; windows far apart keep their copied audio."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from render_media import ffmpeg
from render_support import render_clip

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A loud 440 Hz tone all the way through: any join lands mid-waveform."""
    path = tmp_path_factory.mktemp("fades") / "tone.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=10",
        "-f", "lavfi", "-i", "sine=f=440:r=48000:d=10,volume=4",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25",
        "-c:a", "aac", "-shortest", str(path),
    )  # fmt: skip
    return path


def samples(path: Path) -> tuple[np.ndarray, int]:
    with av.open(str(path)) as c:
        rate = c.streams.audio[0].rate
        chunks = [f.to_ndarray().mean(axis=0) for f in c.decode(audio=0)]
    return np.concatenate(chunks), rate


def level(x: np.ndarray, rate: int, t: float, ms: float = 2.0) -> float:
    i, n = int(t * rate), int(ms / 1000 * rate)
    return float(np.sqrt(np.mean(x[i - n // 2 : i + n // 2] ** 2)))


@pytest.mark.parametrize("smart", [True, False], ids=["smart_cut", "reencode"])
def test_joins_inside_speech_fade(tone: Path, tmp_path: Path, smart: bool) -> None:
    windows = [(1.0, 3.0), (3.4, 5.0), (5.6, 7.0)]  # two 0.4-0.6 s cuts: fillers taken out
    out = render_clip(tone, windows, tmp_path / "tight.mp4", smart_cut=smart)
    assert out.metadata["audio"] == "reencoded"
    assert "short fades" in out.metadata["audio_copy_skipped"]
    x, rate = samples(out.path)
    steady = level(x, rate, 1.0, ms=20)
    for join in (2.0, 3.6):  # where the windows meet in the clip
        assert level(x, rate, join) < 0.3 * steady, join
    assert level(x, rate, 2.5, ms=20) == pytest.approx(steady, rel=0.1)
    assert out.duration_seconds == pytest.approx(5.0, abs=0.05)


def test_windows_far_apart_keep_copied_audio(tone: Path, tmp_path: Path) -> None:
    out = render_clip(tone, [(6.0, 8.0), (1.0, 3.0)], tmp_path / "hook.mp4")
    assert out.metadata["audio"] == "copied"
