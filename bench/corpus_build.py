#!/usr/bin/env python3
"""Build the segmentation corpus: speech, a small video, ground truth and the seller's list.

    uv run python bench/corpus_build.py                 # every script in bench/corpus/
    uv run python bench/corpus_build.py en_s01 zh_l02   # some of them

Scripts (``bench/corpus/<lang>/<id>.json``, format in ``bench/corpus/FORMAT.md``) were written
for this corpus alone, not from the analyzer's lexicon. English speech comes from espeak-ng
(voice and speed from the script), Mandarin from Kokoro through /work/shared/tools/tts_zh.py
(override with $CLIPORA_TTS_ZH; the Python that runs it with $CLIPORA_TTS_PYTHON; its docstring
lists the packages it needs). Everything is cached under ``bench/.cache/corpus/`` by a hash of its
inputs, so a rerun only makes what changed.

Per stream, in ``bench/.cache/corpus/streams/<id>/``:
  audio.wav       the whole stream (mono 16-bit)
  video.mp4       256x144 test pattern, 10 fps, with that audio (what `clipora run` gets)
  truth.json      lines with times, product spans, filler spans, products, keywords
  products.*      the seller's list in one of the accepted formats (txt / csv / yaml / json)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "bench" / "corpus"
CACHE = REPO / "bench" / ".cache" / "corpus"
KINDS = {
    "pitch",
    "callback",
    "comparison",
    "interruption",
    "greeting",
    "chitchat",
    "shipping",
    "qa",
    "giveaway",
    "announcement",
    "goodbye",
    "other",
}
EN_VOICES = ["en-us", "en-gb", "en-us+f3", "en-us+m3", "en+f4", "en-gb+m2"]
ZH_VOICES = ["jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo"]


def _hash(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:16]


def script_paths(ids: list[str] | None = None) -> list[Path]:
    paths = sorted(CORPUS.glob("*/*.json"))
    if ids:
        wanted = set(ids)
        paths = [p for p in paths if p.stem in wanted]
        missing = wanted - {p.stem for p in paths}
        if missing:
            raise SystemExit(f"no script for {', '.join(sorted(missing))}")
    return paths


def load_script(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    keys = {p["key"] for p in data["products"]}
    for n, line in enumerate(data["lines"], 1):
        if line.get("label") is not None and line["label"] not in keys:
            raise SystemExit(f"{path.name} line {n}: unknown label {line['label']!r}")
        if line.get("kind") not in KINDS:
            raise SystemExit(f"{path.name} line {n}: unknown kind {line.get('kind')!r}")
    return data


# --- speech ---------------------------------------------------------------------------------------


def _read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        rate = w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        if w.getnchannels() > 1:
            data = data.reshape(-1, w.getnchannels())[:, 0]
    return data.astype(np.float32) / 32768.0, rate


def _write_wav(path: Path, audio: np.ndarray, rate: int) -> None:
    pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
    tmp = path.with_suffix(".tmp.wav")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    os.replace(tmp, path)


def _speech_span(audio: np.ndarray, rate: int) -> tuple[float, float]:
    """First and last sample above a small threshold (both TTS engines pad with silence)."""
    loud = np.flatnonzero(np.abs(audio) > 0.01)
    if not len(loud):
        return 0.0, len(audio) / rate
    return loud[0] / rate, (loud[-1] + 1) / rate


def _voice(script: dict) -> tuple[str, float]:
    lang = script["language"]
    pool = EN_VOICES if lang == "en" else ZH_VOICES
    voice = script.get("voice") or pool[int(_hash(script["id"]), 16) % len(pool)]
    if voice not in pool:
        voice = pool[int(_hash(script["id"], voice), 16) % len(pool)]
    speed = float(script.get("speed") or 1.0)
    return voice, min(1.25, max(0.8, speed))


def synth_lines(script: dict) -> list[Path | None]:
    lang = script["language"]
    voice, speed = _voice(script)
    out_dir = CACHE / "tts" / lang
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path | None] = []
    todo: list[tuple[str, Path]] = []
    for line in script["lines"]:
        text = line["text"].strip()
        if not text:
            paths.append(None)
            continue
        p = out_dir / f"{_hash(lang, voice, speed, text)}.wav"
        paths.append(p)
        if not p.exists():
            todo.append((text, p))
    todo = list(dict(((p, (t, p)) for t, p in todo)).values())
    if not todo:
        return paths
    print(f"  {script['id']}: synthesising {len(todo)} lines ({voice}, x{speed:g})", flush=True)
    if lang == "en":
        for text, p in todo:
            subprocess.run(
                ["espeak-ng", "-v", voice, "-s", str(round(165 * speed)), "-w", str(p), text],
                check=True,
            )
        return paths
    tts = os.environ.get("CLIPORA_TTS_ZH", "/work/shared/tools/tts_zh.py")
    py = os.environ.get("CLIPORA_TTS_PYTHON", "/work/venvs/tts/bin/python")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump([{"text": t, "path": str(p)} for t, p in todo], f, ensure_ascii=False)
    try:
        subprocess.run(
            [py, tts, "--jobs", f.name, "--voice", voice, "--speed", f"{speed:g}"],
            check=True,
            stderr=subprocess.DEVNULL,
        )
    finally:
        os.unlink(f.name)
    return paths


# --- truth ----------------------------------------------------------------------------------------


def _spans(lines: list[dict]) -> list[dict]:
    """Product spans: runs of one label; interruption lines inside a run do not end it."""
    spans: list[dict] = []
    current: dict | None = None
    pending_gap: list[dict] = []
    for i, line in enumerate(lines):
        label = line["label"]
        if label is None:
            if current is not None and line["kind"] == "interruption":
                pending_gap.append(line)
                continue
            if current is not None:
                spans.append(current)
            current, pending_gap = None, []
            continue
        if current is not None and current["product"] == label:
            current["end_seconds"] = line["end_seconds"]
            current["last_line"] = i
            pending_gap = []
            continue
        if current is not None:
            spans.append(current)
        current = {
            "product": label,
            "start_seconds": line["start_seconds"],
            "end_seconds": line["end_seconds"],
            "first_line": i,
            "last_line": i,
            "kind": line["kind"],
        }
        pending_gap = []
    if current is not None:
        spans.append(current)
    return spans


def _filler_spans(lines: list[dict]) -> list[dict]:
    out: list[dict] = []
    for line in lines:
        if line["label"] is not None or line["start_seconds"] is None:
            continue
        if out and out[-1]["last"] == line["index"] - 1:
            out[-1]["end_seconds"] = line["end_seconds"]
            out[-1]["last"] = line["index"]
            out[-1]["kinds"] = sorted(set(out[-1]["kinds"]) | {line["kind"]})
        else:
            out.append(
                {
                    "start_seconds": line["start_seconds"],
                    "end_seconds": line["end_seconds"],
                    "last": line["index"],
                    "kinds": [line["kind"]],
                }
            )
    for s in out:
        s.pop("last")
    return out


# --- the seller's list ------------------------------------------------------------------------------


_CN = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def _cn_amount(text: str) -> float | None:
    """九块九 -> 9.9, 一百二十九 -> 129, 六十九 -> 69 (enough for the scripts' price fields)."""
    m = re.search(r"[零一二两三四五六七八九十百千]+(?:[块元点][零一二两三四五六七八九])?", text)
    if not m:
        return None
    whole, _, cents = (
        re.split(r"([块元点])", m.group(0), maxsplit=1)
        + ["", ""][: 3 - len(re.split(r"([块元点])", m.group(0), maxsplit=1))]
    )
    section, digit, prev_digit = 0, 0, False
    for ch in whole:
        if ch in _CN:
            if prev_digit:  # "四十九一对": the amount ended at 九
                break
            digit, prev_digit = _CN[ch], True
            continue
        unit = {"十": 10, "百": 100, "千": 1000}[ch]
        section += (digit or (1 if unit == 10 else 0)) * unit
        digit, prev_digit = 0, False
    total = section + digit + (_CN[cents[0]] / 10 if cents and cents[0] in _CN else 0)
    return float(total) if total else None


def _price(value: object) -> float | None:
    """A number as the shop's list has it, whether the script wrote 29.9 or "到手价六十九"."""
    if value is None or isinstance(value, int | float):
        return value
    text = str(value)
    m = re.search(r"\d+(?:\.\d+)?", text)
    if m:
        return float(m.group(0))
    return _cn_amount(text)


def _list_entries(script: dict, spans: list[dict]) -> list[dict]:
    """The shop's list: pitched products on it (in the order first pitched) plus products listed
    but never pitched, slotted in where a shop list would have them."""
    first_start = {}
    for s in spans:
        first_start.setdefault(s["product"], s)
    entries = []
    for p in sorted(
        (p for p in script["products"] if p.get("in_list", True)),
        key=lambda p: first_start[p["key"]]["start_seconds"] if p["key"] in first_start else 1e9,
    ):
        span = first_start.get(p["key"])
        entries.append(
            {
                "name": p["listed_name"],
                "aliases": [a for a in p.get("aliases", []) if a and a != p["listed_name"]],
                "price": _price(p.get("price")),
                "span": span,
            }
        )
    rng = random.Random(script["id"])
    for extra in script.get("listed_not_pitched", []):
        entries.insert(
            rng.randint(0, len(entries)),
            {
                "name": extra["listed_name"],
                "aliases": extra.get("aliases", []),
                "price": _price(extra.get("price")),
                "span": None,
            },
        )
    return entries


def write_product_list(script: dict, spans: list[dict], folder: Path) -> Path:
    """One of the accepted formats, chosen by the stream's id so the corpus uses them all."""
    entries = _list_entries(script, spans)
    for old in folder.glob("products.*"):
        old.unlink()
    fmt = ["txt", "txt_aliases", "csv", "csv_markers", "yaml", "json"][
        int(_hash("fmt", script["id"]), 16) % 6
    ]
    if script["id"].endswith("l01"):
        fmt = "csv_markers"  # the platform's 讲解 markers come with long sessions' exports
    rng = random.Random("markers" + script["id"])
    if fmt.startswith("txt"):
        path = folder / "products.txt"
        rows = []
        for e in entries:
            aliases = e["aliases"][:2] if fmt == "txt_aliases" else []
            rows.append(" | ".join([e["name"], *aliases]))
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        return path
    if fmt.startswith("csv"):
        import csv

        path = folder / "products.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            header = ["name", "aliases", "price"] + (
                ["start", "end"] if fmt == "csv_markers" else []
            )
            w.writerow(header)
            for e in entries:
                row = [e["name"], "|".join(e["aliases"]), "" if e["price"] is None else e["price"]]
                if fmt == "csv_markers":
                    span = e["span"]
                    # Operators press 讲解 a little late or early, and not for every product.
                    if span is None or rng.random() < 0.25:
                        row += ["", ""]
                    else:
                        start = max(0.0, span["start_seconds"] + rng.uniform(-4, 6))
                        end = max(start + 5.0, span["end_seconds"] + rng.uniform(-6, 4))
                        row += [f"{start:.0f}", f"{end:.0f}"]
                w.writerow(row)
        return path
    items = [
        {
            k: v
            for k, v in {"name": e["name"], "aliases": e["aliases"], "price": e["price"]}.items()
            if v
        }
        for e in entries
    ]
    if fmt == "yaml":
        import yaml

        path = folder / "products.yaml"
        path.write_text(
            yaml.safe_dump({"products": items}, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
        return path
    path = folder / "products.json"
    path.write_text(json.dumps(items, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


# --- assembling --------------------------------------------------------------------------------------


def _ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def build(path: Path) -> Path:
    script = load_script(path)
    folder = CACHE / "streams" / script["id"]
    key = _hash(script, _voice(script), "v4")
    stamp = folder / "built.key"
    if stamp.is_file() and stamp.read_text() == key:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    wavs = synth_lines(script)
    chunks: list[np.ndarray] = []
    rate = 22050 if script["language"] == "en" else 24000
    t = 0.0
    lines = []
    for i, (line, p) in enumerate(zip(script["lines"], wavs, strict=True)):
        record = {
            "index": i,
            "text": line["text"],
            "label": line.get("label"),
            "kind": line["kind"],
            "start_seconds": None,
            "end_seconds": None,
        }
        if p is not None:
            audio, r = _read_wav(p)
            if r != rate:
                raise SystemExit(f"{path.name}: unexpected sample rate {r} (expected {rate})")
            s, e = _speech_span(audio, r)
            record["start_seconds"] = round(t + s, 3)
            record["end_seconds"] = round(t + e, 3)
            chunks.append(audio)
            t += len(audio) / rate
        pause = max(0.0, float(line.get("pause", 0.4)))
        n = int(round(pause * rate))
        chunks.append(np.zeros(n, np.float32))
        t += n / rate
        lines.append(record)
    spoken = [ln for ln in lines if ln["start_seconds"] is not None]
    spans = _spans(spoken)
    truth = {
        "id": script["id"],
        "language": script["language"],
        "host_style": script.get("host_style", ""),
        "duration_seconds": round(t, 3),
        "products": script["products"],
        "listed_not_pitched": script.get("listed_not_pitched", []),
        "spans": spans,
        "filler_spans": _filler_spans(spoken),
        "lines": lines,
    }
    _write_wav(folder / "audio.wav", np.concatenate(chunks), rate)
    (folder / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), "utf-8")
    listed = write_product_list(script, spans, folder)
    video = folder / "video.mp4"
    tmp = folder / "video.tmp.mp4"
    subprocess.run(
        [
            _ffmpeg(),
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"color=c=0x2a4d69:s=256x144:r=10:d={t:.3f}",
            "-i",
            str(folder / "audio.wav"),
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-g",
            "20",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            "-shortest",
            "-f",
            "mp4",
            str(tmp),
        ],
        check=True,
    )
    os.replace(tmp, video)
    stamp.write_text(key)
    print(
        f"  {script['id']}: {t / 60:.1f} min, {len(script['products'])} products, "
        f"{len(spans)} spans, list {listed.name}",
        flush=True,
    )
    return folder


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("ids", nargs="*", help="stream ids (default: all)")
    args = ap.parse_args()
    for p in script_paths(args.ids):
        build(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
