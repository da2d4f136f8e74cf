#!/usr/bin/env python3
"""Speed of the MediaPipe presence detector (opt-in plugin) on a 720p recording.

    uv run python bench/presence.py              # 120 s of 720p30, samples every 1 s and 0.5 s

The source alternates 10 s with a person (a real photo, skimage's astronaut) and 5 s of empty
room. The baseline, measured in the same run, is decoding the very same sample frames with no
model (the detector's own ``VideoReader``): the ratio shows what the landmarker costs on top of
the decode every sampler pays. Wall and CPU seconds (this process, every thread) are reported.
Results go to bench/results/presence.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "presence"))
sys.path.insert(0, str(REPO / "bench"))

from presence_media import empty_frame, make_request, person_frame, write_video  # noqa: E402

RESULTS = REPO / "bench" / "results"


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _timed(fn) -> tuple[float, float, object]:  # type: ignore[no-untyped-def]
    w, c = time.perf_counter(), _cpu()
    out = fn()
    return time.perf_counter() - w, _cpu() - c, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=int, default=120)
    args = ap.parse_args()
    from clipora_presence_mediapipe.detector import MediaPipePresenceDetector
    from clipora_presence_mediapipe.frames import VideoReader
    from clipora_presence_mediapipe.sampling import sample_times

    person, empty = person_frame(1280, 720), empty_frame(1280, 720)
    spans = []
    while sum(s for s, _ in spans) < args.seconds:
        spans += [(10, person), (5, empty)]
    with tempfile.TemporaryDirectory() as tmp:
        video = write_video(Path(tmp) / "source.mp4", spans, fps=30)
        length = float(sum(s for s, _ in spans))
        detector = MediaPipePresenceDetector()
        detector.detect(make_request(video, [(0, 2)], 1.0))  # load the model outside the timing
        rows = []
        for interval in (1.0, 0.5):
            times = sample_times(0.0, length, interval)

            def decode_only(times=times) -> int:
                with VideoReader(video, detector.cfg.max_frame_height) as reader:
                    return sum(1 for _ in reader.frames_at(times))

            base_wall, base_cpu, decoded = _timed(decode_only)
            wall, cpu, samples = _timed(
                lambda interval=interval: detector.detect(
                    make_request(video, [(0, length)], interval)
                )
            )
            present = sum(1 for s in samples if s.status == "present")  # type: ignore[attr-defined]
            row = {
                "interval_seconds": interval,
                "samples": len(samples),  # type: ignore[arg-type]
                "present": present,
                "decode_only": {
                    "wall": round(base_wall, 2),
                    "cpu": round(base_cpu, 2),
                    "frames": decoded,
                },
                "detector": {"wall": round(wall, 2), "cpu": round(cpu, 2)},
                "ms_per_sample": round(1000 * wall / max(1, len(samples)), 1),  # type: ignore[arg-type]
                "x_realtime": round(length / wall, 1),
                "over_decode_wall": round(wall / base_wall, 2),
                "over_decode_cpu": round(cpu / max(base_cpu, 1e-6), 2),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
        detector.close()
    RESULTS.mkdir(parents=True, exist_ok=True)
    from pipeline import machine

    result = {"source": f"{length:g} s 1280x720 30 fps", "machine": machine(), "rows": rows}
    (RESULTS / "presence.json").write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
