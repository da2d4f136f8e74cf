"""Freeze detection benchmark: the full decode against the keyframe-sampled fast path.

    uv run python bench/clean.py [--minutes 20] [--runs 1] [--build-only]

Builds (once, cached in bench/.cache/) a livestream-like recording: 1280x720 30 fps H.264
(x264 veryfast, B-frames, 2 s GOP with x264's scene-cut keyframes left on, as OBS-style
recorders write it) of a zooming Mandelbrot set (a 60 s render, looped) and AAC audio (pink
noise), with three frozen spans: the source picture held still for 45 s, 3.2 s (shorter than two
keyframe intervals) and 20 s, each starting between keyframes.

Then runs the freeze cleaner's detection on it both ways in the same process: the full decode
(``detect_freezes(..., full_decode=True)``, the method before the fast path) and the default
fast path, ``--runs`` times interleaved. Reports CPU seconds (user+sys of the ffmpeg children:
the steadier figure on a shared machine), wall seconds, CPU as a percentage of the recording's
duration, and every detected span against the full decode and against the truth. Results go to
bench/results/clean.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import imageio_ffmpeg
from clipora_freeze_cleaner.detect import detect_freezes

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"
RESULTS = ROOT / "bench" / "results"
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
FPS = 30
GOP = 60  # frames: 2 s
# (start second, length seconds) of the frozen spans; starts are off the 2 s keyframe grid.
FREEZES = ((257.3, 45.0), (581.7, 3.2), (902.5, 20.0))
NOISE_DB = -60.0  # the cleaner's defaults (cleaning.freeze.*)
MIN_DURATION = 0.75


def ffmpeg(args: list[str]) -> None:
    cmd = [FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]
    subprocess.run(cmd, check=True)


def build_source(minutes: int, maxrate: str | None) -> Path:
    """The recording, built once and cached: a few minutes of CPU the first time. CRF 23 (as
    OBS recordings) gives the detailed zoom a high bitrate; ``maxrate`` caps it the way a
    streaming encoder's bitrate setting does."""
    CACHE.mkdir(parents=True, exist_ok=True)
    tag = f"-{maxrate}" if maxrate else ""
    path = CACHE / f"freeze-{minutes}min-1280x720p30-gop2s{tag}.mp4"
    if path.exists():
        return path
    loop = CACHE / "mandelbrot-60s-1280x720p30.mp4"
    t = time.monotonic()
    if not loop.exists():
        print(f"rendering 60 s of Mandelbrot zoom (cached in {CACHE}) ...", flush=True)
        part = loop.with_suffix(".partial.mp4")
        ffmpeg(
            ["-f", "lavfi", "-i", f"mandelbrot=s=1280x720:r={FPS}", "-t", "60",
             "-c:v", "libx264", "-preset", "veryfast", "-crf", "12", "-pix_fmt", "yuv420p",
             str(part)]
        )  # fmt: skip
        part.replace(loop)
    print(f"building the {minutes} min recording (cached in {CACHE}) ...", flush=True)
    seconds = minutes * 60
    graph, label = [], "0:v"
    for i, (start, length) in enumerate(FREEZES):
        first = round(start * FPS)
        last = first + round(length * FPS) - 1
        graph.append(
            f"[{label}]split[a{i}][b{i}];"
            f"[a{i}][b{i}]freezeframes=first={first}:last={last}:replace={first}[v{i}]"
        )
        label = f"v{i}"
    part = path.with_suffix(".partial.mp4")
    rate = ["-maxrate", maxrate, "-bufsize", maxrate] if maxrate else []
    ffmpeg(
        ["-stream_loop", "-1", "-i", str(loop),
         "-f", "lavfi", "-i", f"anoisesrc=c=pink:a=0.05:r=48000:d={seconds}",
         "-filter_complex", ";".join(graph), "-map", f"[{label}]", "-map", "1:a",
         "-t", str(seconds), "-c:v", "libx264", "-preset", "veryfast", "-g", str(GOP), *rate,
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-ac", "2",
         str(part)]
    )  # fmt: skip
    part.replace(path)
    print(f"  built in {time.monotonic() - t:.0f} s", flush=True)
    return path


def children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def self_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


class _Notes(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def run_once(src: Path, full: bool) -> dict[str, Any]:
    notes = _Notes()
    logger = logging.getLogger("clipora_freeze_cleaner.detect")
    logger.setLevel(logging.INFO)
    logger.addHandler(notes)
    c0, s0, w0 = children_cpu(), self_cpu(), time.monotonic()
    try:
        spans, duration = detect_freezes(src, NOISE_DB, MIN_DURATION, full_decode=full)
    finally:
        logger.removeHandler(notes)
    wall = time.monotonic() - w0
    cpu = children_cpu() - c0
    return {
        "notes": notes.lines,
        "spans": [[round(s, 6), round(e, 6)] for s, e in spans],
        "duration": duration,
        "ffmpeg_cpu_seconds": round(cpu, 3),
        "python_cpu_seconds": round(self_cpu() - s0, 3),
        "wall_seconds": round(wall, 3),
    }


def merge_touching(spans: list[list[float]]) -> list[list[float]]:
    """Spans that meet (the full decode splits a freeze where a keyframe re-codes the still
    picture beyond the noise floor) as one, to compare with the freezes that were made."""
    out: list[list[float]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1] + 1e-6:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out


def span_differences(
    spans: list[list[float]], reference: list[list[float]] | list[tuple[float, float]]
) -> dict[str, Any]:
    """Largest start/end difference, pairing each reference span with the closest span."""
    worst = 0.0
    unmatched = []
    for rs, re_ in reference:
        best = min(spans, key=lambda s: abs(s[0] - rs) + abs(s[1] - re_), default=None)
        if best is None or abs(best[0] - rs) > 1.0 or abs(best[1] - re_) > 1.0:
            unmatched.append([rs, re_])
            continue
        worst = max(worst, abs(best[0] - rs), abs(best[1] - re_))
    return {
        "same_count": len(spans) == len(reference),
        "max_boundary_difference_seconds": round(worst, 6),
        "max_boundary_difference_frames": round(worst * FPS, 2),
        "missing": unmatched,
    }


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--minutes", type=int, default=20, help="length of the synthetic recording")
    ap.add_argument("--runs", type=int, default=1, help="timed runs of each method (interleaved)")
    ap.add_argument(
        "--maxrate",
        default=None,
        help="cap the video bitrate (e.g. 4500k, a streaming encoder's setting); default CRF 23",
    )
    ap.add_argument("--build-only", action="store_true", help="build the cached source and stop")
    ap.add_argument("--out", type=Path, default=RESULTS / "clean.json")
    args = ap.parse_args()

    src = build_source(args.minutes, args.maxrate)
    if args.build_only:
        print(src)
        return 0
    load_before = os.getloadavg()
    runs: dict[str, list[dict[str, Any]]] = {"full": [], "fast": []}
    for i in range(args.runs):
        for key in ("full", "fast"):
            r = run_once(src, key == "full")
            runs[key].append(r)
            print(
                f"run {i + 1} {key:4}: ffmpeg CPU {r['ffmpeg_cpu_seconds']:7.2f} s "
                f"({100 * r['ffmpeg_cpu_seconds'] / r['duration']:5.2f} % of the recording), "
                f"wall {r['wall_seconds']:6.2f} s, spans {r['spans']}",
                flush=True,
            )
    duration = runs["full"][0]["duration"]
    truth = [(s, round(s + n, 6)) for s, n in FREEZES]
    summary: dict[str, Any] = {}
    for key, rs in runs.items():
        cpu = min(r["ffmpeg_cpu_seconds"] for r in rs)
        summary[key] = {
            "ffmpeg_cpu_seconds": cpu,
            "ffmpeg_cpu_percent_of_duration": round(100 * cpu / duration, 3),
            "python_cpu_seconds": min(r["python_cpu_seconds"] for r in rs),
            "wall_seconds": min(r["wall_seconds"] for r in rs),
            "spans": rs[-1]["spans"],
            "vs_truth": span_differences(merge_touching(rs[-1]["spans"]), truth),
        }
    summary["fast"]["vs_full"] = span_differences(
        summary["fast"]["spans"], summary["full"]["spans"]
    )
    summary["cpu_ratio_full_over_fast"] = round(
        summary["full"]["ffmpeg_cpu_seconds"] / max(summary["fast"]["ffmpeg_cpu_seconds"], 1e-9), 1
    )
    data = {
        "source": {
            "path": src.name,
            "duration_seconds": duration,
            "size": "1280x720",
            "fps": FPS,
            "gop_seconds": GOP / FPS,
            "mb": round(src.stat().st_size / 1e6, 1),
            "video_mbit_per_s": round(src.stat().st_size * 8 / 1e6 / duration, 2),
            "freezes": [[s, n] for s, n in FREEZES],
        },
        "settings": {"noise_db": NOISE_DB, "min_duration_seconds": MIN_DURATION},
        "runs": runs,
        "summary": summary,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        },
        "load_before": [round(x, 2) for x in load_before],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    f, q = summary["full"], summary["fast"]
    print(
        f"\nfull decode: {f['ffmpeg_cpu_seconds']:.2f} CPU s "
        f"({f['ffmpeg_cpu_percent_of_duration']:.2f} %), wall {f['wall_seconds']:.2f} s\n"
        f"fast path:   {q['ffmpeg_cpu_seconds']:.2f} CPU s "
        f"({q['ffmpeg_cpu_percent_of_duration']:.2f} %), wall {q['wall_seconds']:.2f} s, "
        f"python {q['python_cpu_seconds']:.2f} CPU s\n"
        f"fast vs full: {q['vs_full']}\nwrote {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
