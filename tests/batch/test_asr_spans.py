"""A long recording's speech transcribed in spans, each a unit on Ray: the same words as one
transcription of the whole, in order, nothing heard twice at the cuts."""

from __future__ import annotations

import difflib
import itertools
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from batch_support import User, ffmpeg_exe

SCRIPT = (
    "Welcome back to the live stream everyone. Our first product today is a stainless steel "
    "water bottle. It keeps drinks cold for twenty four hours and hot for twelve. "
    "The regular price is forty nine dollars but today it is only twenty nine. "
    "Next I want to show you this bamboo cutting board. It is thick and strong and it never "
    "warps, even in the dishwasher. Normally it costs thirty nine dollars, today nineteen. "
    "Now let us look at these wireless earbuds. They play music for eight hours and the case "
    "charges them three more times. They are fifty nine dollars tonight only. "
    "Last one for this hour is a travel backpack. It fits a laptop and opens flat like a "
    "suitcase. Sixty nine dollars, and the link is up now, three, two, one."
)


def words(text: str) -> list[str]:
    return [w.strip(".,!?").lower() for w in text.split() if w.strip(".,!?")]


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    d = tmp_path_factory.mktemp("spans")
    wav = d / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), SCRIPT], check=True)
    out = d / "stream.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
         "-i", "testsrc2=s=160x120:r=10", "-i", str(wav), "-shortest",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", str(out)],
        check=True,
    )  # fmt: skip
    return out


def transcript(user: User) -> dict[str, object]:
    (job,) = [p.parent for p in user.workdir.glob("*/manifest.json")]
    return json.loads((job / "semantic" / "transcript.json").read_text())


def test_spans_on_ray_hear_what_one_pass_hears(speech: Path, tmp_path: Path) -> None:
    conf = "asr:\n  mode: local\n  language: en\n  cache: false\n  span_seconds: 25\n"
    whole, spans = User(tmp_path / "whole"), User(tmp_path / "spans")
    for user, extra in ((whole, ""), (spans, "batch:\n  ray:\n    num_cpus: 2\n")):
        # These users transcribe with Whisper (the base config imports subtitles).
        user.config.write_text(
            f"paths:\n  workdir: {json.dumps(str(user.workdir))}\n{conf}{extra}", encoding="utf-8"
        )
    res = whole.run("batch", speech)  # local executor: one pass, spans never apply
    assert res.rc == 0, res.describe()
    res = spans.run("batch", speech, "--executor", "ray")
    assert res.rc == 0, res.describe()

    (job,) = [p.parent for p in spans.workdir.glob("*/manifest.json")]
    log = (job / "logs" / "pipeline.log").read_text()
    duration = json.loads((job / "manifest.json").read_text())["probe"]["duration_seconds"]
    expected_spans = -(-duration // 25)
    assert f"transcribing in spans on the executor spans={int(expected_spans)}" in log, log
    assert expected_spans >= 3
    assert not (job / "semantic" / ".spans").exists()  # the parts are joined and removed

    one, parts = transcript(whole), transcript(spans)
    segs = parts["segments"]
    starts = [s["start_seconds"] for s in segs]
    assert starts == sorted(starts)
    assert all(a["end_seconds"] <= b["start_seconds"] + 0.5 for a, b in itertools.pairwise(segs))
    a, b = words(str(one["text"])), words(str(parts["text"]))
    # The same speech: most words in the same order (numbers may be written differently when
    # Whisper hears a sentence with other context around it).
    assert difflib.SequenceMatcher(a=a, b=b).ratio() >= 0.85, (one["text"], parts["text"])
    # No sentence heard twice at a cut.
    for n in range(len(b) - 8):
        window = b[n : n + 8]
        assert sum(b[m : m + 8] == window for m in range(len(b) - 8)) == 1, window
    # Against the script, the spans hear as well as one pass.
    script = words(SCRIPT)
    whole_score = difflib.SequenceMatcher(a=script, b=a).ratio()
    spans_score = difflib.SequenceMatcher(a=script, b=b).ratio()
    assert spans_score >= whole_score - 0.03, (whole_score, spans_score)
