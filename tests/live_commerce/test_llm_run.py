"""``clipora run`` on a small video with the llm engine against a real HTTP server on 127.0.0.1:
one discovery window and one item fail, the job still completes and renders every other clip,
the manifest lists what failed and why, and the API key is written nowhere."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from lc_transcripts import build_transcript
from llm_server import Reply, ScriptedLLM, smart_answer
from test_llm_analyzer import PRODUCTS, STREAM

KEY = "sk-run-SECRET-987654321"


def _srt_time(x: float) -> str:
    ms = round(x * 1000)
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def make_recording(folder: Path) -> Path:
    """A 160x120 test-pattern video with a tone, and the transcript as an .srt next to it."""
    import imageio_ffmpeg

    transcript = build_transcript(STREAM, "en")
    video = folder / "stream.mp4"
    cues = [
        f"{i}\n{_srt_time(s.start_seconds)} --> {_srt_time(s.end_seconds)}\n{s.text}\n"
        for i, s in enumerate(transcript.segments, 1)
    ]
    video.with_suffix(".srt").write_text("\n".join(cues), encoding="utf-8")
    d = transcript.duration_seconds + 1
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-y",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc=size=160x120:rate=10:duration={d}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={d}",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-c:a",
            "aac",
            "-shortest",
            str(video),
        ],
        check=True,
    )
    return video


@pytest.mark.slow
def test_clipora_run_completes_every_other_item(tmp_path, clipora_config, cli_run):
    video = make_recording(tmp_path)

    def script(rec, before):
        if rec.unit == "window-002":
            return Reply("Sorry, I cannot help with that.")
        answer = smart_answer(rec, PRODUCTS)
        if rec.stage == "plan" and "Toaster" in rec.messages[1]["content"]:
            for v in answer["variants"]:
                v["hook"]["end_segment_id"] = "seg-0404"
        return Reply(answer)

    with ScriptedLLM(script) as server:
        config = clipora_config(
            **{
                "asr.mode": "import",
                "analysis.live_commerce.engine": "llm",
                "analysis.live_commerce.semantic_window_target_seconds": 20,
                "analysis.live_commerce.semantic_window_max_seconds": 40,
                "analysis.semantic_min_duration_seconds": 10,
                "analysis.live_commerce.provider.base_url": server.base_url,
                "analysis.live_commerce.provider.backoff_base_seconds": 0.01,
                "render_subtitles.mode": "disabled",
            }
        )
        result = cli_run(
            "run",
            str(video),
            "--config",
            str(config),
            "--log-level",
            "error",
            env={"CLIPORA_ANALYSIS__LIVE_COMMERCE__PROVIDER__API_KEY": KEY},
        )
    assert result.exit_code == 0, result.output
    job = Path(result.stdout.strip().splitlines()[-1])
    manifest = json.loads((job / "manifest.json").read_text(encoding="utf-8"))
    failed = {
        (d["stage"], d["unit"], d["id"]) for d in manifest["dropped"] if d["kind"] == "failed"
    }
    assert failed == {
        ("semantic_discover", "window", "window-002"),
        ("analyze", "item", "semantic-item-002"),
    }
    clips = sorted(p.name for p in (job / "renders").glob("*.mp4"))
    assert clips == ["1-semantic-item-001-plan-001.mp4", "2-semantic-item-001-plan-002.mp4"]
    # The failed item's request record keeps what the model answered and what was wrong with it.
    record = json.loads(
        (job / "analysis" / "requests" / "semantic-item-002.json").read_text(encoding="utf-8")
    )
    assert "unknown segment ids ['seg-0404']" in record["plan"]["debug"]["unresolved_problems"][0]
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in server.requests)
    for path in job.rglob("*"):
        if path.is_file() and path.suffix in {".json", ".log", ".txt", ".yaml"}:
            assert KEY not in path.read_text(encoding="utf-8", errors="replace"), path
