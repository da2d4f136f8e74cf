#!/usr/bin/env python3
"""Clip quality of the offline live_commerce engine on livestreams it was never tuned on.

    uv run python bench/segmentation.py                  # the test half (what the README reports)
    uv run python bench/segmentation.py --split dev      # the half the engine may be tuned on
    uv run python bench/segmentation.py --ids en_s02     # some streams
    uv run python bench/segmentation.py --rerun          # analyzer changed: rediscover (ASR cached)
    uv run python bench/segmentation.py --split dev --tag batched --set asr.local.batch_size=8
                                                         # another setting: own jobs and results

The corpus (``bench/corpus/``) holds scripts written for it alone, not from the engine's
lexicon; ``bench/corpus/split.json`` split it once, before any script was read, into a dev half
(tuning allowed) and a test half (reported). ``bench/corpus_build.py`` makes each stream's
speech, a small video, the ground truth and the seller's product list.

Each stream goes through the real CLI as a user would run it (``clipora inspect`` then
``clipora analyze``, offline engine, Whisper base), once without and once with ``--products``
(the list also becomes ASR hotwords). Scores, per stream and pooled per language:

* boundary F1 at ±3 s and ±8 s: item windows (one item's windows joined across gaps under 10 s
  with no other item between) against the product spans of the script;
* item count error: |items - products pitched|;
* title hits: share of pitched products whose best-overlapping item's title contains one of the
  product's keywords;
* filler windows: clip windows (hook and body of every plan) that overlap no product speech;
* edges in speech: clip window edges where the recording is not silent (RMS over 20 ms above
  -40 dBFS), i.e. cut inside a word rather than in a pause;
* callbacks joined: products pitched more than once whose pitches land in one item;
* with the list: pitched products missing from the list that were found and flagged
  ``unlisted``, listed products never pitched that the job reports;
* names heard: share of spoken product-name mentions that the transcript has right, before and
  after name normalisation, and the transcript's CER (zh) / WER (en) against the script.

Results go to bench/results/segmentation.json (``scripts/update_performance.py`` reads it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import corpus_build  # noqa: E402

RUNS = REPO / "bench" / ".cache" / "runs"
RESULTS = REPO / "bench" / "results"
JOIN_GAP = 10.0
# --set values for every clipora call, and the tag that keeps their jobs and results apart.
EXTRA_SETS: list[str] = []
TAG = ""
SPEECH_RMS = 10 ** (-40 / 20)


# --- running the CLI -------------------------------------------------------------------------------


def _clipora(*args: str, env: dict[str, str] | None = None) -> str:
    cmd = [str(Path(sys.executable).parent / "clipora"), *args]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=REPO
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args[:2])} failed ({proc.returncode}): {proc.stderr[-2000:]}"
        )
    return proc.stdout.strip().splitlines()[-1]


def run_stream(folder: Path, condition: str, rerun: bool) -> Path:
    """The job folder of this stream under this condition (``none`` or ``list``)."""
    workdir = RUNS / TAG / condition if TAG else RUNS / condition
    sets = [
        "--set",
        f"paths.workdir={workdir}",
        "--set",
        "analysis.live_commerce.engine=offline",
        *(x for item in EXTRA_SETS for x in ("--set", item)),
        "-q",
    ]
    stream = folder.name
    # One small file per stream, so benchmark runs of different streams can run side by side.
    record = workdir / "jobs" / f"{stream}.txt"
    legacy = workdir / "jobs.json"
    if record.is_file():
        job = Path(record.read_text().strip())
    elif legacy.is_file():
        job = Path(json.loads(legacy.read_text()).get(stream, ""))
    else:
        job = Path("")
    products = next(iter(sorted(folder.glob("products.*"))), None)
    plist = ["--products", str(products)] if condition == "list" and products else []
    if not (job.is_dir() and (job / "manifest.json").is_file()):
        job = Path(_clipora("inspect", str(folder / "video.mp4"), *sets))
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(str(job))
    if rerun:
        _clipora("semantic-discover", str(job), "--force", *plist, *sets)
    _clipora("analyze", str(job), *plist, *sets)
    return job


# --- scoring -----------------------------------------------------------------------------------------


def match(pred: list[float], truth: list[float], tol: float) -> int:
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


def prf(m: int, n_pred: int, n_truth: int) -> tuple[float, float, float]:
    p = m / n_pred if n_pred else 0.0
    r = m / n_truth if n_truth else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def item_spans(items: list[dict]) -> list[tuple[float, float, int]]:
    """(start, end, item index): each item's windows, joined across short gaps with no other
    item in between (a brief aside inside a pitch is not a product boundary)."""
    flat = sorted(
        (w["start_seconds"], w["end_seconds"], k)
        for k, it in enumerate(items)
        for w in it["windows"]
    )
    out: list[list] = []
    for s, e, k in flat:
        if out and out[-1][2] == k and s - out[-1][1] < JOIN_GAP:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e, k])
    return [tuple(x) for x in out]


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _stems(text: str) -> list[str]:
    out = []
    for w in re.findall(r"[a-z0-9]+", text.lower()):
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.append(w)
    return out


def keyword_in(title: str, keywords: list[str], lang: str) -> bool:
    if lang == "zh":
        return any(k and k in title for k in keywords)
    t = " " + " ".join(_stems(title)) + " "
    return any(k and " " + " ".join(_stems(k)) + " " in t for k in keywords)


def _audio(folder: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(folder / "audio.wav"), "rb") as w:
        rate = w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    return data.astype(np.float32) / 32768.0, rate


def edge_in_speech(audio: np.ndarray, rate: int, t: float) -> bool:
    a = max(0, int((t - 0.01) * rate))
    b = min(len(audio), int((t + 0.01) * rate))
    if b <= a:
        return False
    return float(np.sqrt(np.mean(audio[a:b] ** 2))) > SPEECH_RMS


def _norm_text(text: str, lang: str) -> list[str]:
    if lang == "zh":
        return [c for c in text if "\u4e00" <= c <= "\u9fff" or c.isalnum()]
    return re.findall(r"[a-z0-9']+", text.lower())


def error_rate(ref: list[str], hyp: list[str]) -> float:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(ref, hyp) / max(1, len(ref))


def names_heard(truth: dict, segments: list[dict], lang: str) -> tuple[int, int]:
    """(mentions heard right, mentions said) of the products' spoken names."""
    products = {p["key"]: p for p in truth["products"]}
    said = heard = 0
    for line in truth["lines"]:
        if line["start_seconds"] is None:
            continue
        text = line["text"] if lang == "zh" else line["text"].lower()
        for p in products.values():
            for kw in p.get("keywords", []):
                kw_l = kw if lang == "zh" else kw.lower()
                if not kw_l or kw_l not in text:
                    continue
                said += 1
                got = " ".join(
                    s["text"]
                    for s in segments
                    if _overlap(
                        s["start_seconds"],
                        s["end_seconds"],
                        line["start_seconds"] - 0.5,
                        line["end_seconds"] + 0.5,
                    )
                    > 0
                )
                heard += keyword_in(got, [kw], lang)
                break
    return heard, said


def score(folder: Path, job: Path, condition: str) -> dict:
    truth = json.loads((folder / "truth.json").read_text())
    lang = truth["language"]
    item_set = json.loads((job / "semantic" / "semantic_item_set.json").read_text())
    items = item_set["intervals"]
    plan_path = job / "analysis" / "edit_plan.json"
    plan = json.loads(plan_path.read_text()) if plan_path.is_file() else {"segments": []}
    spans = item_spans(items)
    pred = [b for s, e, _ in spans for b in (s, e)]
    gold = [b for s in truth["spans"] for b in (s["start_seconds"], s["end_seconds"])]
    row: dict = {
        "stream": truth["id"],
        "language": lang,
        "condition": condition,
        "duration_minutes": round(truth["duration_seconds"] / 60, 1),
        "truth_products": len({s["product"] for s in truth["spans"]}),
        "truth_spans": len(truth["spans"]),
        "items": len(items),
        "n_pred": len(pred),
        "n_gold": len(gold),
    }
    for tol in (3.0, 8.0):
        row[f"matched_{tol:g}"] = match(pred, gold, tol)
        row[f"f1_{tol:g}"] = round(prf(row[f"matched_{tol:g}"], len(pred), len(gold))[2], 3)
    row["item_count_error"] = abs(len(items) - row["truth_products"])

    # Best-overlapping item per product.
    products = {p["key"]: p for p in truth["products"]}
    best: dict[str, int | None] = {}
    span_items: dict[str, list[int | None]] = {}
    for key in products:
        ov = [0.0] * len(items)
        for s in (s for s in truth["spans"] if s["product"] == key):
            per = [0.0] * len(items)
            for k, it in enumerate(items):
                for w in it["windows"]:
                    o = _overlap(
                        w["start_seconds"], w["end_seconds"], s["start_seconds"], s["end_seconds"]
                    )
                    ov[k] += o
                    per[k] += o
            span_items.setdefault(key, []).append(
                max(range(len(items)), key=lambda k: per[k]) if items and max(per) > 0 else None
            )
        best[key] = (
            max(range(len(items)), key=lambda k: ov[k])
            if items and max(ov, default=0) > 0
            else None
        )
    pitched = [k for k in products if k in span_items]
    hits = [
        best[k] is not None and keyword_in(items[best[k]]["title"], products[k]["keywords"], lang)
        for k in pitched
    ]
    row["title_hits"] = sum(hits)
    row["titled"] = len(pitched)
    row["titles"] = {k: (items[best[k]]["title"] if best[k] is not None else None) for k in pitched}
    multi = [k for k in pitched if len(span_items[k]) > 1]
    row["callbacks"] = len(multi)
    row["callbacks_joined"] = sum(
        1 for k in multi if None not in span_items[k] and len(set(span_items[k])) == 1
    )

    product_lines = [
        (ln["start_seconds"], ln["end_seconds"])
        for ln in truth["lines"]
        if ln["label"] is not None and ln["start_seconds"] is not None
    ]
    audio, rate = _audio(folder)
    windows = [w for seg in plan.get("segments", []) for w in seg.get("windows", [])]
    row["clip_windows"] = len(windows)
    row["filler_windows"] = sum(
        1
        for w in windows
        if not any(
            _overlap(w["start_seconds"], w["end_seconds"], a, b) > 0 for a, b in product_lines
        )
    )
    edges = [t for w in windows for t in (w["start_seconds"], w["end_seconds"])]
    row["edges"] = len(edges)
    row["edges_in_speech"] = sum(edge_in_speech(audio, rate, t) for t in edges)
    row["clips"] = len(plan.get("segments", []))

    if condition == "list":
        flagged = {k for k, it in enumerate(items) if (it.get("metadata") or {}).get("unlisted")}
        unlisted = [k for k in pitched if not products[k].get("in_list", True)]
        row["unlisted_truth"] = len(unlisted)
        row["unlisted_flagged"] = sum(1 for k in unlisted if best[k] in flagged)
        row["listed_items_flagged_unlisted"] = sum(
            1 for k in pitched if products[k].get("in_list", True) and best[k] in flagged
        )
        manifest = json.loads((job / "manifest.json").read_text())
        reported = (manifest.get("summary") or {}).get("products_not_pitched") or []
        row["not_pitched_truth"] = len(truth.get("listed_not_pitched", []))
        row["not_pitched_reported"] = sum(
            1 for p in truth.get("listed_not_pitched", []) if p["listed_name"] in reported
        )
        row["pitched_reported_as_not_pitched"] = sum(
            1 for p in truth["products"] if p.get("in_list", True) and p["listed_name"] in reported
        )

    transcript = json.loads((job / "semantic" / "transcript.json").read_text())
    raw_path = job / "semantic" / "transcript.raw.json"
    raw = json.loads(raw_path.read_text()) if raw_path.is_file() else transcript
    row["names_heard_raw"], row["names_said"] = names_heard(truth, raw["segments"], lang)
    row["names_heard"], _ = names_heard(truth, transcript["segments"], lang)
    ref = _norm_text(" ".join(ln["text"] for ln in truth["lines"]), lang)
    row["error_rate_raw"] = round(
        error_rate(ref, _norm_text(" ".join(s["text"] for s in raw["segments"]), lang)), 4
    )
    row["predicted"] = [[round(s, 1), round(e, 1), items[k]["title"]] for s, e, k in spans]
    row["truth"] = [[s["start_seconds"], s["end_seconds"], s["product"]] for s in truth["spans"]]
    return row


POOL_SUMS = [
    "matched_3",
    "matched_8",
    "n_pred",
    "n_gold",
    "item_count_error",
    "truth_products",
    "title_hits",
    "titled",
    "callbacks",
    "callbacks_joined",
    "clip_windows",
    "filler_windows",
    "edges",
    "edges_in_speech",
    "names_heard_raw",
    "names_heard",
    "names_said",
    "unlisted_truth",
    "unlisted_flagged",
    "not_pitched_truth",
    "not_pitched_reported",
]


def pool(rows: list[dict]) -> dict:
    acc = {k: sum(r.get(k, 0) for r in rows) for k in POOL_SUMS}
    out = {
        "streams": len(rows),
        "f1_3": round(prf(acc["matched_3"], acc["n_pred"], acc["n_gold"])[2], 3),
        "f1_8": round(prf(acc["matched_8"], acc["n_pred"], acc["n_gold"])[2], 3),
        "mean_item_count_error": round(acc["item_count_error"] / max(1, len(rows)), 2),
        "relative_item_count_error": round(
            acc["item_count_error"] / max(1, acc["truth_products"]), 3
        ),
        "title_hits": round(acc["title_hits"] / max(1, acc["titled"]), 3),
        "callbacks_joined": f"{acc['callbacks_joined']}/{acc['callbacks']}",
        "filler_windows": acc["filler_windows"],
        "clip_windows": acc["clip_windows"],
        "edges_in_speech": round(acc["edges_in_speech"] / max(1, acc["edges"]), 3),
        "names_heard_raw": round(acc["names_heard_raw"] / max(1, acc["names_said"]), 3),
        "names_heard": round(acc["names_heard"] / max(1, acc["names_said"]), 3),
        "error_rate_raw": round(sum(r["error_rate_raw"] for r in rows) / max(1, len(rows)), 4),
    }
    if any("unlisted_truth" in r for r in rows):
        out["unlisted_flagged"] = f"{acc['unlisted_flagged']}/{acc['unlisted_truth']}"
        out["not_pitched_reported"] = f"{acc['not_pitched_reported']}/{acc['not_pitched_truth']}"
    return out


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--split", choices=["dev", "test", "all"], default="test")
    ap.add_argument("--ids", nargs="*", help="only these streams")
    ap.add_argument("--lang", choices=["en", "zh"], action="append")
    ap.add_argument("--condition", choices=["none", "list"], action="append")
    ap.add_argument("--rerun", action="store_true", help="rediscover (the analyzer changed)")
    ap.add_argument(
        "--exclude",
        nargs="*",
        default=[],
        help="leave these streams out (recorded in the results, e.g. one too slow to synthesise)",
    )
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="config for every clipora call (needs --tag: its jobs and results are kept apart)",
    )
    ap.add_argument("--tag", default="", help="name for the jobs and results of --set runs")
    args = ap.parse_args()
    if args.set and not re.fullmatch(r"[a-z0-9_]+", args.tag or ""):
        ap.error("--set needs --tag NAME (lower-case letters, digits, _)")
    global TAG
    EXTRA_SETS[:] = args.set
    TAG = args.tag
    split = json.loads((REPO / "bench" / "corpus" / "split.json").read_text())
    ids = args.ids or (split["dev"] + split["test"] if args.split == "all" else split[args.split])
    if args.lang:
        ids = [i for i in ids if i.split("_")[0] in args.lang]
    ids = [i for i in ids if i not in args.exclude]
    conditions = args.condition or ["none", "list"]
    rows = []
    for path in corpus_build.script_paths(ids):
        folder = corpus_build.build(path)
        for cond in conditions:
            started = time.monotonic()
            job = run_stream(folder, cond, args.rerun)
            row = score(folder, job, cond)
            row["seconds"] = round(time.monotonic() - started, 1)
            rows.append(row)
            print(
                f"{row['stream']:<8} {cond:<5} items {row['items']:>2}/{row['truth_products']:<2} "
                f"F1@3 {row['f1_3']:.2f} F1@8 {row['f1_8']:.2f} titles {row['title_hits']}/{row['titled']} "
                f"filler-win {row['filler_windows']}/{row['clip_windows']} "
                f"edges-in-speech {row['edges_in_speech']}/{row['edges']} "
                f"names {row['names_heard']}/{row['names_said']} ({row['seconds']} s)",
                flush=True,
            )
    name = (
        "segmentation.json"
        if args.split == "test" and not args.ids
        else f"segmentation-{args.split}.json"
    )
    if TAG:
        name = name.replace(".json", f"-{TAG}.json")
    # A rerun of some streams or one condition replaces just those rows of the last results.
    previous = RESULTS / name
    if previous.is_file():
        done = {(r["stream"], r["condition"]) for r in rows}
        kept = json.loads(previous.read_text()).get("streams", [])
        rows = [r for r in kept if (r["stream"], r["condition"]) not in done] + rows
    pooled: dict = {}
    for lang in ("en", "zh"):
        for cond in ("none", "list"):
            sel = [r for r in rows if r["language"] == lang and r["condition"] == cond]
            if sel:
                pooled[f"{lang}/{cond}"] = pool(sel)
    print()
    for key, p in pooled.items():
        print(key, json.dumps(p, ensure_ascii=False))
    RESULTS.mkdir(parents=True, exist_ok=True)
    from pipeline import machine

    result = {
        "split": args.split,
        "sets": args.set,
        "excluded": sorted(args.exclude),
        "machine": machine(),
        "pooled": pooled,
        "streams": rows,
    }
    (RESULTS / name).write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
