#!/usr/bin/env python3
"""Tight bodies on the corpus: how much fillers and long pauses cutting takes out of each clip,
and whether any cut lands inside a word.

    uv run python bench/tighten.py                     # the test half (what the README reports)
    uv run python bench/tighten.py --split dev         # the half the thresholds may be tuned on
    uv run python bench/tighten.py --split dev --set max_pause_seconds=0.8

It reads the jobs ``bench/segmentation.py`` left in ``bench/.cache/runs/<condition>`` (run that
first: it makes the transcripts and plans) and re-tightens each plan segment's body windows with
the analyzer's own function, on the job's transcript and the stream's audio, so thresholds can be
tried without re-running the pipeline. A plan already tightened is first put back together from
its windows and its ``trimmed`` record.

Per clip: seconds removed and the share of the clip's length. Over all cuts: edges inside a
transcript word (strictly between its start and end: must be 0), and edges in speech (RMS over
the 20 ms around the edge above -40 dBFS, as ``segmentation.py`` measures clip edges). Fillers
left: hesitation words (um, 嗯, ...) still played in a body.

Results go to bench/results/tighten.json (test) or tighten-<split>.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import wave
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
RUNS = REPO / "bench" / ".cache" / "runs"
STREAMS = REPO / "bench" / ".cache" / "corpus" / "streams"
RESULTS = REPO / "bench" / "results"
SPEECH_DBFS = -40.0

from clipora_core.contracts import TimeWindow, Transcript  # noqa: E402
from clipora_live_commerce.settings import TightenSettings  # noqa: E402
from clipora_live_commerce.tighten import HOP, TWord, norm, tighten_windows  # noqa: E402
from clipora_live_commerce.tighten_plan import HOOK_GUARD_SECONDS, rules_from  # noqa: E402


class WavEnergy:
    """``AudioEnvelope.energy_db`` on a whole WAV in memory (the corpus streams are short)."""

    def __init__(self, path: Path) -> None:
        with wave.open(str(path), "rb") as w:
            self.rate = w.getframerate()
            data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        self.audio = data.astype(np.float32) / 32768.0

    def __call__(self, start: float, end: float) -> tuple[float, np.ndarray]:
        start = max(0.0, start)
        n = int(HOP * self.rate)
        x = self.audio[int(start * self.rate) : int(max(start, end) * self.rate)]
        frames = len(x) // n
        if frames == 0:
            return start, np.zeros(0)
        x = x[: frames * n].reshape(frames, n).astype(np.float64)
        db = 10 * np.log10(np.mean(x * x, axis=1) + 1e-10)
        if frames >= 3:
            db = np.convolve(db, np.ones(3) / 3, mode="same")
        return start, db

    def loud(self, t: float) -> bool:
        a, b = max(0, int((t - 0.01) * self.rate)), int((t + 0.01) * self.rate)
        part = self.audio[a:b]
        if part.size == 0:
            return False
        return 20 * np.log10(float(np.sqrt(np.mean(part.astype(np.float64) ** 2))) + 1e-12) > (
            SPEECH_DBFS
        )


def untighten(windows: list[dict[str, float]], trims: list[dict[str, Any]]) -> list[list[float]]:
    """The windows as they were before the trims recorded beside them were cut out."""
    out = [[w["start_seconds"], w["end_seconds"]] for w in windows]
    for t in trims:
        s, e = t["start_seconds"], t["end_seconds"]
        before = next((w for w in out if abs(w[1] - s) < 1e-6), None)
        after = next((w for w in out if abs(w[0] - e) < 1e-6), None)
        if before is not None and after is not None:
            before[1] = after[1]
            out.remove(after)
        elif before is not None:
            before[1] = e
        elif after is not None:
            after[0] = s
    return out


def hook_spans(meta: dict[str, Any]) -> list[TimeWindow]:
    return [
        TimeWindow(
            start_seconds=max(0.0, f["start_seconds"] - HOOK_GUARD_SECONDS),
            end_seconds=f["end_seconds"] + HOOK_GUARD_SECONDS,
        )
        for p in meta.get("planned_windows", [])
        if p["role"] == "hook"
        for f in p["fragments"]
    ]


def job_of(stream: str) -> Path | None:
    for cond in ("list", "none"):
        record = RUNS / cond / "jobs" / f"{stream}.txt"
        if record.is_file():
            job = Path(record.read_text().strip())
            if (job / "analysis/edit_plan.json").is_file():
                return job
    return None


def measure(stream: str, job: Path, settings: TightenSettings) -> dict[str, Any]:
    rules = rules_from(settings)
    transcript = Transcript.model_validate_json((job / "semantic/transcript.json").read_text())
    words = sorted(
        (
            TWord(w.start_seconds, w.end_seconds, w.text)
            for seg in transcript.segments
            for w in seg.words
        ),
        key=lambda w: w.start,
    )
    energy = WavEnergy(STREAMS / stream / "audio.wav")
    plan = json.loads((job / "analysis/edit_plan.json").read_text())
    clips: list[dict[str, Any]] = []
    inside = in_speech = edges = 0
    kinds = {"filler": 0, "pause": 0}
    fillers_left = fillers_cut = 0
    for seg in plan["segments"]:
        meta = seg["metadata"]
        spans = untighten(seg["windows"], meta.get("trimmed", []))
        windows = [TimeWindow(start_seconds=s, end_seconds=e) for s, e in spans]
        out, trims = tighten_windows(windows, words, rules, energy, hook_spans(meta))
        before = sum(w.duration for w in windows)
        removed = sum(t.duration for t in trims)
        clips.append({"segment": seg["id"], "seconds": round(before, 2), "removed": removed})
        for t in trims:
            kinds[t.kind] += 1
            for edge in (t.start_seconds, t.end_seconds):
                edges += 1
                inside += int(any(w.start + 1e-3 < edge < w.end - 1e-3 for w in words))
                in_speech += int(energy.loud(edge))
            fillers_cut += t.kind == "filler"
        body = [
            w
            for w in out
            if not any(h.start_seconds <= w.start_seconds < h.end_seconds for h in hook_spans(meta))
        ]
        fillers_left += sum(
            1
            for w in words
            if norm(w.text) in rules.fillers
            and any(b.start_seconds < (w.start + w.end) / 2 < b.end_seconds for b in body)
        )
    per_clip = [c["removed"] for c in clips]
    return {
        "stream": stream,
        "clips": len(clips),
        "removed_mean": round(statistics.mean(per_clip), 2) if per_clip else 0.0,
        "removed_median": round(statistics.median(per_clip), 2) if per_clip else 0.0,
        "removed_share": round(sum(per_clip) / max(1e-9, sum(c["seconds"] for c in clips)), 4),
        "cuts": kinds,
        "filler_cuts": fillers_cut,
        "hesitations_left": fillers_left,
        "edges": edges,
        "edges_inside_word": inside,
        "edges_in_speech": in_speech,
        "clip_seconds": round(sum(c["seconds"] for c in clips), 2),
        "per_clip_removed": [round(r, 2) for r in per_clip],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--split", choices=["dev", "test"], default="test")
    ap.add_argument("--ids", nargs="*", help="only these streams")
    ap.add_argument("--set", action="append", default=[], help="tighten.<key>=<value>")
    args = ap.parse_args()
    overrides: dict[str, Any] = {}
    for item in args.set:
        key, _, value = item.partition("=")
        overrides[key] = value
    settings = TightenSettings.model_validate(overrides)
    split = json.loads((REPO / "bench/corpus/split.json").read_text())
    rows, missing = [], []
    for stream in args.ids or split[args.split]:
        job = job_of(stream)
        if job is None or not (STREAMS / stream / "audio.wav").is_file():
            missing.append(stream)
            continue
        row = measure(stream, job, settings)
        rows.append(row)
        print(
            f"{stream:<8} clips {row['clips']:>2} removed/clip mean {row['removed_mean']:5.2f}s "
            f"median {row['removed_median']:5.2f}s share {row['removed_share']:.1%} "
            f"cuts {row['cuts']} edges-in-word {row['edges_inside_word']}/{row['edges']} "
            f"edges-in-speech {row['edges_in_speech']}/{row['edges']} "
            f"hesitations-left {row['hesitations_left']}"
        )
    per_clip = [r for row in rows for r in row["per_clip_removed"]]
    pooled: dict[str, Any] = {}
    for lang in ("en", "zh", "all"):
        sel = [r for r in rows if lang == "all" or r["stream"].startswith(lang)]
        vals = [v for r in sel for v in r["per_clip_removed"]]
        if not sel:
            continue
        seconds = sum(r["clip_seconds"] for r in sel)
        pooled[lang] = {
            "streams": len(sel),
            "clips": len(vals),
            "removed_mean": round(statistics.mean(vals), 2) if vals else 0.0,
            "removed_median": round(statistics.median(vals), 2) if vals else 0.0,
            "removed_share": round(sum(vals) / seconds, 4) if seconds else 0.0,
            "filler_cuts": sum(r["filler_cuts"] for r in sel),
            "pause_cuts": sum(r["cuts"]["pause"] for r in sel),
            "hesitations_left": sum(r["hesitations_left"] for r in sel),
            "edges": sum(r["edges"] for r in sel),
            "edges_inside_word": sum(r["edges_inside_word"] for r in sel),
            "edges_in_speech": sum(r["edges_in_speech"] for r in sel),
        }
    for lang, p in pooled.items():
        print(f"{lang:<4} {json.dumps(p)}")
    out = RESULTS / (
        "tighten.json" if args.split == "test" and not args.ids else f"tighten-{args.split}.json"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "split": args.split,
                "settings": settings.model_dump(),
                "missing_streams": missing,
                "pooled": pooled,
                "streams": rows,
                "clips": len(per_clip),
            },
            indent=1,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    print(
        f"wrote {out.relative_to(REPO)}"
        + (f" (no job yet: {', '.join(missing)})" if missing else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
