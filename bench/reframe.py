#!/usr/bin/env python3
"""What ``render.ffmpeg.fit: subject`` costs: 9:16 clips out of a 16:9 recording with a person
in it, rendered with ``pad`` (bars), ``crop`` (centre) and ``subject`` (the crop follows the
host), in the same run.

    uv run python bench/reframe.py [--minutes 6] [--clips 3] [--clip-seconds 45] [--runs 2]

Builds (once, cached in bench/.cache/) a 1280x720 25 fps recording: a real photograph of a
person (scikit-image's public-domain astronaut portrait) drifting and swaying over a grey
studio wall, a tone for audio. Each clip is one hook window and two body windows from across
the recording, as the analyzer plans them. ``subject`` is timed as the render stage runs it:
the presence plugin locates the subjects at 2 samples per second, the kernel plans the path,
the renderer crops per window. Prints wall and CPU seconds (this process and its ffmpeg
children) per method, and the ratio to ``pad``; results go to bench/results/reframe.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import imageio_ffmpeg
from clipora_core.capabilities import PresenceRequest, RenderRequest
from clipora_core.contracts import TimeWindow
from clipora_core.progress import StageProgress
from clipora_core.reframe import FramingOptions, plan_framing
from clipora_presence_mediapipe.detector import MediaPipePresenceDetector
from clipora_render_ffmpeg.prober import PyAVProber
from clipora_render_ffmpeg.renderer import FFmpegRenderer
from clipora_render_ffmpeg.settings import RenderProfileSettings

CACHE = Path(__file__).resolve().parent / ".cache"
RESULTS = Path(__file__).resolve().parent / "results"
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


def build_source(minutes: int) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"person-{minutes}min-1280x720.mp4"
    if path.exists():
        return path
    from skimage import data, io

    seconds = minutes * 60
    with tempfile.TemporaryDirectory() as d:
        photo = Path(d) / "astronaut.png"
        io.imsave(photo, data.astronaut())
        tmp = path.with_suffix(".partial.mp4")
        # The host drifts across the frame and back every 40 s and sways a little.
        x = "440+300*sin(2*PI*t/40)+25*sin(2*PI*t/3)"
        subprocess.run(
            [
                FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", f"color=c=0x6a6f78:s=1280x720:r=25:d={seconds}",
                "-loop", "1", "-framerate", "25", "-i", str(photo),
                "-f", "lavfi", "-i", f"sine=f=220:d={seconds}:sample_rate=48000",
                "-filter_complex", f"[1]scale=460:460[p];[0][p]overlay=x='{x}':y=200:shortest=1[v]",
                "-map", "[v]", "-map", "2:a", "-t", str(seconds),
                "-c:v", "libx264", "-preset", "veryfast", "-g", "75", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "128k", str(tmp),
            ],
            check=True,
        )  # fmt: skip
        tmp.replace(path)
    return path


def plan(duration: float, clips: int, seconds: float) -> list[list[TimeWindow]]:
    out = []
    span = duration / clips
    for k in range(clips):
        base = k * span
        hook = (base + span * 0.7, base + span * 0.7 + 6)
        body = seconds - 6
        out.append(
            [
                TimeWindow(start_seconds=a, end_seconds=b)
                for a, b in (
                    hook,
                    (base + 5, base + 5 + body / 2),
                    (base + 20 + body / 2, base + 20 + body),
                )
            ]
        )
    return out


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def render(source: Path, clips: list[list[TimeWindow]], fit: str, out: Path) -> dict[str, Any]:
    probe = PyAVProber().probe(source)
    renderer = FFmpegRenderer(RenderProfileSettings(aspect="9:16", fit=fit))  # type: ignore[arg-type]
    progress = StageProgress(None, "render")
    t0, c0 = time.monotonic(), cpu()
    locate_s = 0.0
    detector = MediaPipePresenceDetector() if fit == "subject" else None
    for i, windows in enumerate(clips):
        framing = None
        crop = renderer.subject_crop(probe)
        if detector is not None and crop is not None:
            t = time.monotonic()
            samples = detector.locate(
                PresenceRequest(
                    source_path=source,
                    windows=windows,
                    sample_interval_seconds=0.5,
                    progress=progress,
                )
            )
            size = (probe.video_width or 1280, probe.video_height or 720)
            plans = plan_framing(windows, samples, size, crop, FramingOptions())
            framing = [p.framing for p in plans]
            locate_s += time.monotonic() - t
        renderer.render(
            RenderRequest(
                source_path=source,
                probe=probe,
                windows=windows,
                out_path=out / f"{fit}-{i}.mp4",
                progress=progress,
                framing=framing,
            )
        )
    if detector is not None:
        detector.close()
    return {
        "wall_seconds": round(time.monotonic() - t0, 2),
        "cpu_seconds": round(cpu() - c0, 2),
        "locate_wall_seconds": round(locate_s, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=int, default=6)
    ap.add_argument("--clips", type=int, default=3)
    ap.add_argument("--clip-seconds", type=float, default=45)
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    source = build_source(args.minutes)
    clips = plan(args.minutes * 60, args.clips, args.clip_seconds)
    load_before = os.getloadavg()[0]
    rows: dict[str, list[dict[str, Any]]] = {"pad": [], "crop": [], "subject": []}
    with tempfile.TemporaryDirectory() as d:
        for _ in range(args.runs):
            for fit in rows:
                rows[fit].append(render(source, clips, fit, Path(d)))
    summary: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "date": datetime.now().isoformat(timespec="seconds"),
        },
        "load_before": load_before,
        "source": source.name,
        "clips": args.clips,
        "clip_seconds": args.clip_seconds,
        "runs": args.runs,
        "methods": {},
    }
    best = {fit: min(r, key=lambda x: x["cpu_seconds"]) for fit, r in rows.items()}
    for fit, row in best.items():
        summary["methods"][fit] = {
            **row,
            "cpu_ratio_to_pad": round(row["cpu_seconds"] / best["pad"]["cpu_seconds"], 2),
            "wall_ratio_to_pad": round(row["wall_seconds"] / best["pad"]["wall_seconds"], 2),
        }
        print(
            f"{fit:8s} wall {row['wall_seconds']:7.2f} s  cpu {row['cpu_seconds']:7.2f} s  "
            f"({summary['methods'][fit]['cpu_ratio_to_pad']:.2f}x pad CPU)"
            + (f"  locating {row['locate_wall_seconds']:.2f} s" if fit == "subject" else ""),
            flush=True,
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "reframe.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
