#!/usr/bin/env python3
"""Product-boundary F1 of the offline live_commerce engine on livestreams with known boundaries.

    uv run python bench/segmentation.py            # all streams
    uv run python bench/segmentation.py --lang en  # English only (no Kokoro needed)

Streams: the committed demos (examples/demo_*.mp4 with their .truth.json) plus livestreams
generated here from scripts (greetings, fillers, dead air, a product revisited, products
introduced with and without cue phrases). English speech comes from espeak-ng; Mandarin from
Kokoro through /work/shared/tools/tts_zh.py (override with $CLIPORA_TTS_ZH, and the Python that
runs it with $CLIPORA_TTS_PYTHON; its docstring lists the packages it needs). Synthesis is slow,
so audio and transcripts are cached under bench/.cache/ by a hash of their inputs.

Each stream is transcribed with the local ASR backend (faster-whisper, Whisper base), the offline
engine discovers product intervals, and every interval start and end is a predicted boundary.
Truth boundaries are the starts and ends of the product spans. Predictions are matched greedily
(closest pairs first) to truth boundaries within ±8 s; precision, recall and F1 are per stream
and pooled per language. Results also go to bench/results/segmentation.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "bench" / ".cache"
RESULTS = REPO / "bench" / "results"
TOLERANCE = 8.0
sys.path.insert(0, str(REPO / "tests" / "live_commerce"))

# --- generated stream scripts ----------------------------------------------------------------------
# Each line: (text, product key or None, seconds of silence after it).

GEN_EN = [
    ("Hi guys, welcome to the stream, hello to everyone coming in.", None, 0.8),
    ("Drop a like and hit follow so you don't miss any deals tonight.", None, 4.0),
    ("Let me show you these running sneakers first.", "sneakers", 0.6),
    ("These running sneakers have a breathable mesh upper and a thick foam sole.", "sneakers", 0.6),
    ("The sneakers weigh only two hundred grams, so running feels effortless.", "sneakers", 0.6),
    ("They come in sizes five to twelve, and in black, white and grey.", "sneakers", 0.6),
    ("The sneakers are usually 90 dollars, tonight only 59 dollars.", "sneakers", 0.6),
    ("The link is up, 3, 2, 1, go grab your pair.", "sneakers", 6.0),
    ("Okay, this blender is the one you have all been waiting for.", "blender", 0.6),
    ("The blender has a one thousand watt motor and crushes ice in seconds.", "blender", 0.6),
    ("The jar holds two liters and the blades come out for easy cleaning.", "blender", 0.6),
    ("I make smoothies with this blender every morning, it is so quick.", "blender", 0.6),
    ("Normally the blender costs 120 dollars, today it is only 79 dollars.", "blender", 0.6),
    ("Link number two is live, add it to your cart now.", "blender", 2.0),
    ("Let me read some comments. Thank you Lisa for the follow, and hi Mark.", None, 5.0),
    ("Next product is this phone case.", "phone_case", 0.6),
    ("The phone case is made of clear shockproof silicone with raised edges.", "phone_case", 0.6),
    ("The phone case protects your camera and it works with wireless charging.", "phone_case", 0.6),
    ("It fits every new phone model, and the phone case never turns yellow.", "phone_case", 0.6),
    ("The phone case is 25 dollars in stores, here just 12 dollars.", "phone_case", 0.6),
    ("Link three is up, 3, 2, 1!", "phone_case", 3.0),
    ("A lot of you are asking about the running sneakers from earlier.", "sneakers", 0.6),
    ("The running sneakers are still 59 dollars, and we added more sizes.", "sneakers", 0.6),
    ("Remember, the foam sole of these sneakers is super soft.", "sneakers", 2.5),
    ("That is it for tonight, thanks for watching, see you next week, bye!", None, 1.0),
]

GEN_ZH = [
    ("哈喽大家好，欢迎来到直播间，新来的宝宝点个关注。", None, 0.8),
    ("今天给大家准备了很多福利，我们等一下人，马上开始。", None, 4.0),
    ("先给大家介绍这款牛仔裤。", "jeans", 0.6),
    ("这款牛仔裤是高腰直筒的版型，显瘦又显腿长。", "jeans", 0.6),
    ("牛仔裤的面料是纯棉的，有一点弹力，穿着很舒服。", "jeans", 0.6),
    ("尺码从二十五到三十二都有，颜色有浅蓝和深蓝。", "jeans", 0.6),
    ("这条牛仔裤原价一百九十九，今天只要九十九。", "jeans", 0.6),
    ("三二一，上链接！一号链接，赶紧去拍。", "jeans", 5.0),
    ("好，我们再来看这款防晒霜。", "sunscreen", 0.6),
    ("这款防晒霜是五十倍的防晒，夏天出门一整天都不怕晒黑。", "sunscreen", 0.6),
    ("防晒霜质地很清爽，涂上去不油不腻，也不会搓泥。", "sunscreen", 0.6),
    ("敏感肌也能用，防水防汗，去海边玩也没问题。", "sunscreen", 0.6),
    ("防晒霜原价一百二十九，今天直播间只要六十九，还送一支小样。", "sunscreen", 0.6),
    ("二号链接已经上了，大家去拍。", "sunscreen", 2.0),
    ("谢谢大家的点赞，感谢小红的关注，我先喝口水。", None, 5.0),
    ("下一款是这款电饭煲。", "cooker", 0.6),
    ("这款电饭煲是三升的容量，一家三口用刚刚好。", "cooker", 0.6),
    ("电饭煲的内胆是不粘的，煮出来的米饭特别香。", "cooker", 0.6),
    ("它可以预约定时，早上起来就有热乎乎的粥喝。", "cooker", 0.6),
    ("电饭煲原价三百九十九，今天只要一百九十九。", "cooker", 0.6),
    ("三号链接，三二一，上链接！", "cooker", 3.0),
    ("好多宝宝在问刚才的牛仔裤，我们回到刚才的牛仔裤。", "jeans", 0.6),
    ("牛仔裤又补了一些库存，还是九十九，一号链接。", "jeans", 0.6),
    ("高腰显瘦的牛仔裤，真的非常推荐。", "jeans", 2.5),
    ("好了，今天的直播就到这里，谢谢大家，拜拜！", None, 1.0),
]


# --- synthesis ------------------------------------------------------------------------------------


def _hash(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:16]


def _read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        rate = w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        if w.getnchannels() > 1:
            data = data.reshape(-1, w.getnchannels())[:, 0]
    return data.astype(np.float32) / 32768.0, rate


def _speech_span(audio: np.ndarray, rate: int) -> tuple[float, float]:
    """First and last sample above a small threshold (TTS pads lines with silence)."""
    loud = np.flatnonzero(np.abs(audio) > 0.01)
    if not len(loud):
        return 0.0, len(audio) / rate
    return loud[0] / rate, (loud[-1] + 1) / rate


def _synth_lines(lang: str, texts: list[str], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{_hash(lang, t)}.wav" for t in texts]
    todo = [(t, p) for t, p in zip(texts, paths, strict=True) if not p.exists()]
    if not todo:
        return paths
    if lang == "en":
        for t, p in todo:
            subprocess.run(["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(p), t], check=True)
        return paths
    tts = os.environ.get("CLIPORA_TTS_ZH", "/work/shared/tools/tts_zh.py")
    py = os.environ.get("CLIPORA_TTS_PYTHON", "/work/venvs/tts/bin/python")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump([{"text": t, "path": str(p)} for t, p in todo], f, ensure_ascii=False)
    print(
        f"  synthesising {len(todo)} Mandarin lines with Kokoro (slow, cached afterwards)...",
        flush=True,
    )
    subprocess.run([py, tts, "--jobs", f.name], check=True)
    os.unlink(f.name)
    return paths


def build_stream(
    name: str, lang: str, script: list[tuple[str, str | None, float]]
) -> tuple[Path, dict]:
    key = _hash(name, lang, script)
    folder = CACHE / name
    wav_path, truth_path = folder / f"{key}.wav", folder / f"{key}.truth.json"
    if wav_path.exists() and truth_path.exists():
        return wav_path, json.loads(truth_path.read_text())
    line_wavs = _synth_lines(lang, [t for t, _, _ in script], CACHE / "tts" / lang)
    chunks: list[np.ndarray] = []
    rate = None
    t = 0.0
    lines = []
    for (text, product, pause), p in zip(script, line_wavs, strict=True):
        audio, r = _read_wav(p)
        rate = rate or r
        if r != rate:
            raise SystemExit(f"mixed sample rates in {name}")
        s, e = _speech_span(audio, r)
        lines.append(
            {
                "text": text,
                "product": product,
                "start_seconds": round(t + s, 3),
                "end_seconds": round(t + e, 3),
            }
        )
        chunks += [audio, np.zeros(int(pause * r), np.float32)]
        t += len(audio) / r + int(pause * r) / r
    spans: list[dict] = []
    for line in lines:
        if line["product"] is None:
            continue
        if (
            spans
            and spans[-1]["product"] == line["product"]
            and spans[-1]["_last"] == lines.index(line) - 1
        ):
            spans[-1]["end_seconds"] = line["end_seconds"]
            spans[-1]["_last"] += 1
        else:
            spans.append(
                {
                    "product": line["product"],
                    "start_seconds": line["start_seconds"],
                    "end_seconds": line["end_seconds"],
                    "_last": lines.index(line),
                }
            )
    for s in spans:
        s.pop("_last")
    folder.mkdir(parents=True, exist_ok=True)
    pcm = (np.clip(np.concatenate(chunks), -1, 1) * 32767).astype(np.int16)
    with wave.open(str(wav_path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    truth = {"language": lang, "spans": spans, "lines": lines, "duration_seconds": round(t, 3)}
    truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=1))
    return wav_path, truth


# --- transcription, discovery, scoring ----------------------------------------------------------


def transcript_for(media: Path, lang: str):
    from clipora_core.contracts import Transcript
    from lc_asr import transcribe

    digest = hashlib.sha256(media.read_bytes()).hexdigest()[:16]
    path = CACHE / "transcripts" / f"{media.stem}-{digest}-{lang}.json"
    if path.exists():
        return Transcript.model_validate_json(path.read_text())
    started = time.monotonic()
    t = transcribe(media, lang)
    print(
        f"  transcribed {media.name} in {time.monotonic() - started:.1f} s ({len(t.segments)} segments)"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(t.model_dump_json(indent=1))
    return t


def discover(transcript):
    from clipora_core.capabilities import AnalyzerContext
    from clipora_core.config import load_config
    from clipora_core.contracts import MediaProbe
    from clipora_core.plugins import get_host
    from clipora_core.progress import StageProgress
    from clipora_live_commerce.analyzer import LiveCommerceAnalyzer

    host = get_host()
    settings = load_config(
        environ={}, overrides={"analysis.engine": "offline"}, sections=host.config_sections()
    ).settings
    ctx = AnalyzerContext(
        job=None,
        settings=settings,
        progress=StageProgress(None, "bench"),
        transcript=transcript,
        probe=MediaProbe(),
    )
    return LiveCommerceAnalyzer(settings).discover(ctx).intervals


def match(pred: list[float], truth: list[float], tol: float = TOLERANCE) -> int:
    pairs = sorted(
        (abs(p - t), i, j)
        for i, p in enumerate(pred)
        for j, t in enumerate(truth)
        if abs(p - t) <= tol
    )
    used_p: set[int] = set()
    used_t: set[int] = set()
    for _, i, j in pairs:
        if i not in used_p and j not in used_t:
            used_p.add(i)
            used_t.add(j)
    return len(used_p)


def prf(matched: int, n_pred: int, n_truth: int) -> tuple[float, float, float]:
    p = matched / n_pred if n_pred else 0.0
    r = matched / n_truth if n_truth else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def streams(langs: set[str]) -> list[tuple[str, str, Path, dict]]:
    out = []
    for lang in ("en", "zh"):
        if lang not in langs:
            continue
        demo = REPO / "examples" / f"demo_{lang}.mp4"
        truth = REPO / "examples" / f"demo_{lang}.truth.json"
        if demo.exists() and truth.exists():
            out.append((f"demo_{lang}", lang, demo, json.loads(truth.read_text())))
        script = GEN_EN if lang == "en" else GEN_ZH
        media, truth_data = build_stream(f"gen_{lang}_1", lang, script)
        out.append((f"gen_{lang}_1", lang, media, truth_data))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--lang", choices=["en", "zh"], action="append", help="only this language (repeatable)"
    )
    args = ap.parse_args()
    langs = set(args.lang or ["en", "zh"])
    rows = []
    pooled: dict[str, list[int]] = {}
    for name, lang, media, truth in streams(langs):
        print(f"{name}: {media.relative_to(REPO)}", flush=True)
        transcript = transcript_for(media, lang)
        intervals = discover(transcript)
        pred = [b for iv in intervals for b in (iv.start_seconds, iv.end_seconds)]
        gold = [b for s in truth["spans"] for b in (s["start_seconds"], s["end_seconds"])]
        m = match(pred, gold)
        p, r, f1 = prf(m, len(pred), len(gold))
        acc = pooled.setdefault(lang, [0, 0, 0])
        acc[0] += m
        acc[1] += len(pred)
        acc[2] += len(gold)
        rows.append(
            {
                "stream": name,
                "language": lang,
                "truth_spans": len(truth["spans"]),
                "intervals": len(intervals),
                "matched": m,
                "predicted_boundaries": len(pred),
                "truth_boundaries": len(gold),
                "precision": round(p, 3),
                "recall": round(r, 3),
                "f1": round(f1, 3),
                "predicted": [[iv.start_seconds, iv.end_seconds, iv.title] for iv in intervals],
                "truth": [
                    [s["start_seconds"], s["end_seconds"], s["product"]] for s in truth["spans"]
                ],
            }
        )
    print()
    print(f"Product-boundary F1 at ±{TOLERANCE:g} s (offline engine, Whisper base transcripts)")
    print(f"{'stream':<12} {'lang':<4} {'spans':>5} {'found':>5} {'P':>6} {'R':>6} {'F1':>6}")
    for row in rows:
        print(
            f"{row['stream']:<12} {row['language']:<4} {row['truth_spans']:>5} {row['intervals']:>5} "
            f"{row['precision']:>6.3f} {row['recall']:>6.3f} {row['f1']:>6.3f}"
        )
    summary = {}
    for lang, (m, n_pred, n_truth) in sorted(pooled.items()):
        p, r, f1 = prf(m, n_pred, n_truth)
        summary[lang] = {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f1, 3)}
        print(f"{'all':<12} {lang:<4} {'':>5} {'':>5} {p:>6.3f} {r:>6.3f} {f1:>6.3f}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "segmentation.json").write_text(
        json.dumps(
            {"tolerance_seconds": TOLERANCE, "streams": rows, "pooled": summary},
            ensure_ascii=False,
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
