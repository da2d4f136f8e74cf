"""Real-time factor of Clipora's ``local`` ASR backend against raw faster-whisper.

Both run in this process on the same audio, with the same model instance and the same decoding
settings (Whisper base from the PyPI wheels, int8 on the CPU, beam 5, Silero VAD, word
timestamps, language auto-detected); runs alternate and the median is reported, as wall-clock RTF
and as CPU seconds per audio second (steadier on a busy machine). The difference is
our overhead: audio extraction, explicit VAD + language detection, invariants, progress.
A third side is our backend with ``asr.local.batch_size=8`` (faster-whisper's batched pipeline):
its speed-up over raw sequential faster-whisper, and the word / character error rate of each side
against the script that was spoken (digits and number words differ alike on every side).

    uv run python bench/asr.py                # ~60 s espeak-ng English + the Mandarin fixture
    uv run python bench/asr.py --repeat 5 --threads 2 my_recording.mp4
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ZH_FIXTURE = ROOT / "tests" / "fixtures" / "speech" / "zh_product.m4a"
ENGLISH = (
    "Welcome to the live stream, everyone. Thank you for joining us tonight. This stainless steel "
    "water bottle keeps drinks cold for twenty four hours and hot for twelve hours. It holds seven "
    "hundred and fifty milliliters. The lid is leak proof, so you can throw it in your bag. Today "
    "it is only twenty nine dollars, down from forty five dollars. The link is up, three, two, one. "
    "Next product. This cotton hoodie is soft and warm, and it comes in black, grey and navy blue. "
    "Sizes go from small to extra large. The regular price is fifty nine dollars, but in this live "
    "stream it is thirty nine dollars. We only have two hundred pieces, so be quick. Finally, look "
    "at this bamboo cutting board. It is easy to clean and it will not dull your knives. It costs "
    "nineteen dollars today. Shipping is free for every order over fifty dollars. Remember to "
    "follow the channel for more deals every Friday night. See you next time."
)


def _references() -> dict[str, str]:
    zh = ZH_FIXTURE.with_suffix(".txt")
    return {"en_60s.mp4": ENGLISH, **({ZH_FIXTURE.name: zh.read_text()} if zh.is_file() else {})}


def make_english(tmp: Path) -> Path:
    import imageio_ffmpeg

    wav = tmp / "en.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(wav), ENGLISH], check=True)
    out = tmp / "en_60s.mp4"
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "color=c=gray:s=160x120:r=10", "-i", str(wav), "-shortest",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", str(out)],
        check=True,
    )  # fmt: skip
    return out


def duration_of(path: Path) -> float:
    import av

    with av.open(str(path)) as c:
        return float(c.duration or 0) / 1_000_000


REFERENCES = _references()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "media",
        nargs="*",
        type=Path,
        help="files to measure (default: generated English + Mandarin fixture)",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed runs per side (after one warm-up)"
    )
    parser.add_argument(
        "--threads", type=int, default=0, help="CPU threads (0: all available cores)"
    )
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    args = parser.parse_args()

    from clipora_asr_local.backend import SIMPLIFIED_CHINESE_PROMPT, LocalWhisperBackend
    from clipora_asr_local.models import load_model
    from clipora_core.capabilities import ASRRequest
    from clipora_core.config import load_config
    from clipora_core.plugins import get_host
    from clipora_core.progress import StageProgress

    host = get_host()
    tmp = Path(tempfile.mkdtemp(prefix="clipora-bench-asr-"))
    try:
        media = list(args.media)
        if not media:
            if shutil.which("espeak-ng"):
                media.append(make_english(tmp))
            if ZH_FIXTURE.is_file():
                media.append(ZH_FIXTURE)
        overrides = {
            "asr.local.device": "cpu",
            "asr.local.cpu_threads": args.threads,
            "asr.local.beam_size": args.beam_size,
        }
        config = tmp / "clipora.yaml"
        config.write_text("{}\n")
        settings = load_config(
            config, overrides=overrides, environ={}, sections=host.config_sections()
        ).settings
        ours = LocalWhisperBackend(settings.asr.local)
        batched = LocalWhisperBackend(settings.asr.local.model_copy(update={"batch_size": 8}))
        key = ours.model_key()
        model = load_model(key)  # the very instance our backend uses
        print(
            f"model={ours.model_info.name} device={key.device} compute={key.compute_type} "
            f"threads={key.cpu_threads} beam={args.beam_size} repeat={args.repeat}"
        )
        print(
            f"{'file':<22} {'audio s':>8} {'raw RTF':>8} {'ours RTF':>9} {'overhead':>9} "
            f"{'raw CPU':>8} {'ours CPU':>8} {'overhead':>9}  words raw/ours"
        )
        print("(RTF: wall seconds per audio second; CPU: process CPU seconds per audio second,")
        print(" which other load on the machine disturbs less)")
        rows: list[dict] = []
        for path in media:
            seconds = duration_of(path)

            def run_ours(
                path: Path = path, seconds: float = seconds, backend: Any = ours
            ) -> tuple[float, float, str]:
                request = ASRRequest(
                    media_path=path,
                    duration_seconds=seconds,
                    scratch_dir=tmp,
                    progress=StageProgress(None, "bench"),
                )
                t0, c0 = time.perf_counter(), time.process_time()
                transcript = backend.transcribe(request)
                return time.perf_counter() - t0, time.process_time() - c0, transcript.text

            # Raw faster-whisper gets the prompt our backend would choose, so both decode the same
            # tokens; the language is left to faster-whisper's own detection.
            first_text = run_ours()[2]
            prompt = SIMPLIFIED_CHINESE_PROMPT if _looks_chinese(first_text) else None

            def run_raw(path: Path = path, prompt: str | None = prompt) -> tuple[float, float, str]:
                t0, c0 = time.perf_counter(), time.process_time()
                segments, _ = model.transcribe(
                    str(path),
                    beam_size=args.beam_size,
                    vad_filter=True,
                    word_timestamps=True,
                    initial_prompt=prompt,
                )
                text = " ".join(s.text.strip() for s in segments)
                return time.perf_counter() - t0, time.process_time() - c0, text

            run_raw()  # warm-up
            raw_wall, raw_cpu, our_wall, our_cpu, bat_wall, bat_cpu = [], [], [], [], [], []
            raw_text = our_text = bat_text = ""
            for _ in range(args.repeat):
                wall, cpu, raw_text = run_raw()
                raw_wall.append(wall)
                raw_cpu.append(cpu)
                wall, cpu, our_text = run_ours()
                our_wall.append(wall)
                our_cpu.append(cpu)
                wall, cpu, bat_text = run_ours(backend=batched)
                bat_wall.append(wall)
                bat_cpu.append(cpu)
            reference = REFERENCES.get(path.name)
            zh = _looks_chinese(our_text)

            def err(text: str, reference: str | None = reference, zh: bool = zh) -> float | None:
                if reference is None:
                    return None
                return round(error_rate(_units(reference, zh), _units(text, zh)), 3)

            raw_rtf = statistics.median(raw_wall) / seconds
            our_rtf = statistics.median(our_wall) / seconds
            raw_c = statistics.median(raw_cpu) / seconds
            our_c = statistics.median(our_cpu) / seconds
            print(
                f"{path.name[:22]:<22} {seconds:>8.1f} {raw_rtf:>8.3f} {our_rtf:>9.3f} "
                f"{(our_rtf / raw_rtf - 1) * 100:>+8.1f}% {raw_c:>8.3f} {our_c:>8.3f} "
                f"{(our_c / raw_c - 1) * 100:>+8.1f}%  {len(raw_text.split())}/{len(our_text.split())}"
                f"{'' if raw_text == our_text else ' (texts differ)'}"
            )
            bat_speedup = statistics.median(raw_wall) / statistics.median(bat_wall)
            bat_cpu_ratio = statistics.median(raw_cpu) / statistics.median(bat_cpu)
            print(
                f"{'':<22} batched (8): RTF {statistics.median(bat_wall) / seconds:.3f}, "
                f"{bat_speedup:.2f}x faster wall, {bat_cpu_ratio:.2f}x less CPU than raw; "
                f"{'CER' if zh else 'WER'} raw {err(raw_text)} / ours {err(our_text)} / "
                f"batched {err(bat_text)}"
            )
            rows.append(
                {
                    "file": path.name,
                    "batched_rtf": round(statistics.median(bat_wall) / seconds, 4),
                    "batched_speedup_wall": round(bat_speedup, 2),
                    "batched_speedup_cpu": round(bat_cpu_ratio, 2),
                    "error_metric": "CER" if zh else "WER",
                    "error_raw": err(raw_text),
                    "error_ours": err(our_text),
                    "error_batched": err(bat_text),
                    "audio_seconds": round(seconds, 1),
                    "raw_rtf": round(raw_rtf, 4),
                    "ours_rtf": round(our_rtf, 4),
                    "raw_cpu_per_audio_second": round(raw_c, 4),
                    "ours_cpu_per_audio_second": round(our_c, 4),
                    "words_raw": len(raw_text.split()),
                    "words_ours": len(our_text.split()),
                    "same_text": raw_text == our_text,
                }
            )
        if not args.media:  # only the standard inputs go into docs/performance.md
            from pipeline import machine, save

            save(
                "asr",
                {
                    "bench": "asr",
                    "machine": machine(),
                    "model": ours.model_info.name,
                    "device": key.device,
                    "compute_type": key.compute_type,
                    "threads": key.cpu_threads,
                    "beam_size": args.beam_size,
                    "repeat": args.repeat,
                    "rows": rows,
                },
                not args.no_docs,
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _units(text: str, zh: bool) -> list[str]:
    if zh:
        return [c for c in text if "\u4e00" <= c <= "\u9fff" or c.isalnum()]
    return re.findall(r"[a-z0-9']+", text.lower())


def error_rate(ref: list[str], hyp: list[str]) -> float:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(ref, hyp) / max(1, len(ref))


def _looks_chinese(text: str) -> bool:
    return sum("\u4e00" <= c <= "\u9fff" for c in text) > len(text) * 0.3


if __name__ == "__main__":
    sys.exit(main())
