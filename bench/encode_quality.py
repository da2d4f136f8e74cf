"""Burn-in encode settings: CPU, file size and picture quality of one clip per x264 setting.

    uv run python bench/encode_quality.py [--clip 1] [--runs 1]

With burned-in subtitles every output frame is encoded, so the x264 preset decides both the
render time and the file size. This renders one clip of bench/render.py's plan (same cached
30-minute 720p source, same subtitles) with ``clipora_render_ffmpeg`` at several
``render.ffmpeg.preset`` / ``render.ffmpeg.crf`` settings, and scores every output by SSIM against a lossless
render of the same frames (``crf 0``): the frames are identical in every run (the renderer is
frame-accurate), so the scores compare the encoder settings and nothing else.

``medium`` at CRF 23 is the earlier tool's setting. Results go to bench/results/encode_quality.json
and docs/performance.md.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from clipora_core.capabilities import RenderRequest
from clipora_core.contracts import TimeWindow
from clipora_core.progress import StageProgress
from clipora_render_ffmpeg.prober import PyAVProber
from clipora_render_ffmpeg.renderer import FFmpegRenderer
from clipora_render_ffmpeg.settings import RenderProfileSettings
from render import build_plan, build_source, ssim, write_ass

SETTINGS = [
    ("medium", 23),  # the earlier tool's
    ("faster", 23),
    ("veryfast", 21),
    ("veryfast", 23),  # our default
    ("superfast", 23),
    ("superfast", 27),
    ("ultrafast", 23),
]


def children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--clip", type=int, default=1, help="which clip of bench/render.py's plan")
    ap.add_argument("--runs", type=int, default=1, help="timed renders per setting (best kept)")
    ap.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    args = ap.parse_args()

    src = build_source(30, 3.0)
    probe = PyAVProber().probe(src)
    windows = build_plan(probe.duration_seconds, 3)[args.clip]
    seconds = sum(e - s for s, e in windows)
    print(f"clip {args.clip}: {len(windows)} windows, {seconds:.1f} s, burned-in subtitles")

    work = Path(tempfile.mkdtemp(prefix="clipora-quality-"))
    try:
        ass = write_ass(work / "subs.ass", 120)

        def render(preset: str, crf: int, out: Path) -> tuple[float, float]:
            options = RenderProfileSettings(preset=preset, crf=crf)
            request = RenderRequest(
                source_path=src,
                probe=probe,
                windows=[TimeWindow(start_seconds=s, end_seconds=e) for s, e in windows],
                out_path=out,
                progress=StageProgress(None, "bench"),
                clip_id=f"clip{args.clip}",
                burn_subtitles=ass,
            )
            t, c = time.monotonic(), children_cpu()
            FFmpegRenderer(options).render(request)
            return time.monotonic() - t, children_cpu() - c

        lossless = work / "lossless.mp4"
        render("ultrafast", 0, lossless)
        rows = []
        for preset, crf in SETTINGS:
            out = work / f"{preset}-{crf}.mp4"
            times = [render(preset, crf, out) for _ in range(args.runs)]
            row = {
                "preset": preset,
                "crf": crf,
                "wall_seconds": round(min(w for w, _ in times), 2),
                "cpu_seconds": round(min(c for _, c in times), 2),
                "size_mb": round(out.stat().st_size / 1e6, 2),
                "ssim": round(ssim(out, lossless), 6),
            }
            rows.append(row)
            print(
                f"  {preset:9s} crf {crf:2d}  {row['wall_seconds']:6.2f} s wall "
                f"{row['cpu_seconds']:6.2f} s cpu  {row['size_mb']:6.2f} MB  "
                f"SSIM {row['ssim']:.5f}",
                flush=True,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    from pipeline import machine, save

    save(
        "encode_quality",
        {
            "bench": "encode_quality",
            "machine": machine(),
            "clip": {"index": args.clip, "windows": len(windows), "seconds": round(seconds, 2)},
            "runs": args.runs,
            "rows": rows,
        },
        not args.no_docs,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
