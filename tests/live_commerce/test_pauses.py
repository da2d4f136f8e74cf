"""Clip edges land in the recording's pauses even where the ASR's word times are off."""

from __future__ import annotations

import subprocess
from pathlib import Path

from clipora_core.media import ffmpeg_exe
from clipora_live_commerce.engine import Line, Word
from clipora_live_commerce.pauses import AudioEnvelope, PauseSnapper


def _speech_pause_speech(path: Path) -> Path:
    """Loud noise 0-1.0 s, silence 1.0-1.25 s, loud noise 1.25-2.5 s."""
    noise = "anoisesrc=d={d}:a=0.5:r=16000"
    graph = (
        f"{noise.format(d=1.0)}[a];anullsrc=r=16000:cl=mono,atrim=0:0.25[s];"
        f"{noise.format(d=1.25)}[b];[a][s][b]concat=n=3:v=0:a=1[out]"
    )
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y", "-filter_complex", graph, "-map", "[out]", str(path)],
        check=True,
    )
    return path


def test_edge_moves_to_the_real_pause_when_word_times_are_off(tmp_path):
    audio = _speech_pause_speech(tmp_path / "a.wav")
    # The ASR ends the first word 0.3 s early and starts the second there: no pause at 0.7 s.
    words = (Word(0.0, 0.7, "first"), Word(0.7, 2.5, "second"))
    line = Line(1, "seg-0001", 0.0, 2.5, "first second", words)
    envelope = AudioEnvelope(audio)
    try:
        snapper = PauseSnapper([line], envelope)
        end = snapper.snap(0.7, "end", 0.0, 2.5)
        start = snapper.snap(0.7, "start", 0.0, 2.5)
    finally:
        envelope.close()
    assert 1.0 <= end <= 1.25
    assert 1.0 <= start <= 1.25
