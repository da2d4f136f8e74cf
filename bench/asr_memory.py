"""Peak memory of the ``local`` ASR backend against recording length.

Each measurement transcribes one file in a fresh child process and reads the child's peak RSS
(VmHWM), so model load, audio decoding, VAD and decoding all count and nothing leaks between runs.
The default inputs are the audio tracks of bench/pipeline.py's synthetic 60-minute livestream
(espeak-ng English pitches with pauses and dead air), cut to 20 and 60 minutes, cached in
bench/.cache/.

    uv run python bench/asr_memory.py                      # 20 + 60 min, default windows
    uv run python bench/asr_memory.py --chunk-seconds 600 --beam-size 1 my_recording.mp4
    PYTHONPATH=/old/checkout/src uv run python bench/asr_memory.py   # measure another version
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / ".cache"

CHILD = r"""
import json, sys, time
from pathlib import Path
from clipora_core.capabilities import ASRRequest
from clipora_core.config import load_config
from clipora_core.plugins import get_host
from clipora_core.progress import StageProgress
from clipora_asr_local.backend import LocalWhisperBackend

path, overrides, config = Path(sys.argv[1]), json.loads(sys.argv[2]), Path(sys.argv[3])
import av
with av.open(str(path)) as c:
    seconds = float(c.duration or 0) / 1_000_000
settings = load_config(config, overrides=overrides, environ={}, sections=get_host().config_sections()).settings
t0 = time.perf_counter()
t = LocalWhisperBackend(settings.asr.local).transcribe(ASRRequest(
    media_path=path, duration_seconds=seconds, scratch_dir=config.parent,
    progress=StageProgress(None, "bench")))
wall = time.perf_counter() - t0
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"audio_seconds": seconds, "wall_seconds": round(wall, 1), "peak_rss_mb": round(hwm / 1024),
                  "segments": len(t.segments), "words": len(t.text.split()), "language": t.language,
                  "text": t.text}))
"""


def ensure_inputs() -> list[Path]:
    """Audio-only cuts of the cached 60-minute synthetic stream (built by bench/pipeline.py)."""
    import imageio_ffmpeg

    src = CACHE / "stream-60min-1280x720-20p.mp4"
    out = []
    for minutes in (20, 60):
        path = CACHE / f"asr-mem-{minutes}min.m4a"
        if not path.is_file():
            if not src.is_file():
                sys.exit(f"{src} is missing: run bench/pipeline.py once to build it")
            subprocess.run(
                [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
                 "-i", str(src), "-vn", "-t", str(minutes * 60), "-c:a", "copy", str(path)],
                check=True,
            )  # fmt: skip
        out.append(path)
    return out


def measure(path: Path, overrides: dict) -> dict:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="clipora-asr-mem-") as tmp:
        config = Path(tmp) / "clipora.yaml"
        config.write_text("{}\n")
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), json.dumps(overrides), str(config)],
            capture_output=True, text=True,
        )  # fmt: skip
    if proc.returncode:
        sys.exit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("media", nargs="*", type=Path)
    ap.add_argument("--chunk-seconds", type=float, default=None, help="asr.local.chunk_seconds")
    ap.add_argument("--beam-size", type=int, default=5)
    ap.add_argument("--json", type=Path, help="also write the results (with texts) here")
    args = ap.parse_args()

    overrides: dict = {"asr.local.device": "cpu", "asr.local.beam_size": args.beam_size}
    if args.chunk_seconds is not None:
        overrides["asr.local.chunk_seconds"] = args.chunk_seconds
    results = []
    print(f"{'file':<26} {'audio min':>9} {'peak RSS MB':>11} {'wall s':>7} {'words':>6}")
    for path in args.media or ensure_inputs():
        t0 = time.monotonic()
        r = measure(path, overrides) | {"file": path.name, "overrides": overrides}
        r["wall_total_seconds"] = round(time.monotonic() - t0, 1)
        results.append(r)
        print(
            f"{path.name[:26]:<26} {r['audio_seconds'] / 60:>9.1f} {r['peak_rss_mb']:>11} "
            f"{r['wall_seconds']:>7} {r['words']:>6}",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
