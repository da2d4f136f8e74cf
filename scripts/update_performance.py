"""Write benchmark results into docs/performance.md.

    uv run python scripts/update_performance.py            # every section with results
    uv run python scripts/update_performance.py render     # only these sections (what a bench
                                                           # that just ran writes)

Reads bench/results/{pipeline,pipeline_scaling,pipeline_seller,long_input,render,asr,
encode_quality,render_memory,segmentation,presence}.json (written by the bench scripts of the
same names; the pipeline_* ones by bench/pipeline.py) and replaces the section between
``<!-- BEGIN bench:NAME -->`` and ``<!-- END bench:NAME -->`` in docs/performance.md (added at
the end when missing). Everything else in the file is left as it is, so other benchmarks can
keep their own sections there.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "performance.md"
RESULTS = REPO / "bench" / "results"

HEADER = """# Performance

Measured with the benchmarks in `bench/` (one command each); the sections below are rewritten
by `scripts/update_performance.py` from `bench/results/*.json`. The machines are shared: each
run records the load average, and figures are of one run.
"""

STAGES = ("clean", "inspect", "semantic_discover", "semantic_cluster", "analyze", "render")


def _mmss(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m}:{s:02d}"


def _stage_table(data: dict[str, Any]) -> list[str]:
    rows = ["| stage | time | detail |", "|---|---:|---|"]
    for name in STAGES:
        st = data["stages"].get(name)
        if st:
            rows.append(f"| {name} | {st['seconds']:.1f} s | {st['detail']} |")
    rows.append(f"| **end to end** (process wall time) | **{_mmss(data['wall_seconds'])}** | |")
    return rows


def _freezes_text(freezes: list[dict[str, Any]]) -> str:
    if not freezes:
        return "no freezes"
    lengths = sorted(f["seconds"] for f in freezes)
    span = f"{lengths[0]:.0f}" if len(lengths) == 1 else f"{lengths[0]:.0f}-{lengths[-1]:.0f}"
    plural = "s" if len(freezes) != 1 else ""
    return f"{len(freezes)} freeze{plural} ({span} s of still picture and silent sound)"


def _source_line(data: dict[str, Any]) -> str:
    """What the recording holds: length, picture, speech, freezes, products."""
    src = data["source"]
    minutes = src["duration_seconds"] / 60
    if "speech_seconds" not in src:  # results from the earlier generator
        return (
            f"Source: {minutes:.0f} min, {src['size']}, {data['source_mb']:.0f} MB, "
            f"{data['products_spoken']} spoken product pitches ({src['pitch_seconds'] / 60:.0f} "
            "min of pitch speech)."
        )
    return (
        f"Source: {minutes:g} min, {src['size']} at {src['fps']} fps, {src['video']}; "
        f"{data['source_mb']:.0f} MB. **{src['speech_seconds'] / 60:.1f} min of speech** "
        f"({src['speech_share'] * 100:.0f} % of the recording; longest pause outside the freezes "
        f"{src['longest_pause_outside_freezes_seconds']:.1f} s), {data['products_spoken']} "
        f"products pitched, **{_freezes_text(src.get('freezes', []))}**."
    )


def _result_line(data: dict[str, Any]) -> str:
    line = f"Result: {data['items']} items, {data['clips_ok']} clips, {data['clips_failed']} failed"
    if "freezes_removed" in data:
        removed = data.get("removed_intervals", [])
        line += (
            f"; the cleaner removed {data['freezes_removed']} of "
            f"{len(data['source'].get('freezes', []))} freezes ({len(removed)} "
            f"span{'s' if len(removed) != 1 else ''}, {sum(e - s for s, e in removed):.1f} s)"
        )
    return line + "."


def _common(data: dict[str, Any]) -> list[str]:
    m = data["machine"]
    load = data["load_before"]
    return [
        f"{_source_line(data)} {_result_line(data)}",
        "",
        f"Machine: {m['cpus']} cores, Python {m['python']}, {m['date']}; load average before the "
        f"run {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min).",
        "",
    ]


def _request(sets: list[str]) -> str:
    return ", ".join(f"`{s}`" for s in sets) if sets else "the default config"


TARGET_WALL_SECONDS = 360
TARGET_RSS_MB = 1024


def _during(data: dict[str, Any]) -> str:
    stage = data.get("peak_rss_main_stage")
    return f" (largest during {stage})" if stage else ""


def pipeline_section(data: dict[str, Any]) -> str:
    wall_ok = data["wall_seconds"] < TARGET_WALL_SECONDS
    rss_ok = data["peak_rss_tree_mb"] < TARGET_RSS_MB
    cpu = data.get("cpu_seconds_children")
    lines = [
        "## End to end: a realistic hour (60-minute 720p30 stream)",
        "",
        "`uv run python bench/pipeline.py` — `clipora run` as a user runs it on an hour of "
        "livestream where the host talks almost all the time and the stream stalls three "
        f"times: {_request(data.get('sets', []))}; otherwise defaults (local Whisper base, "
        "offline analyzer, default variants, smart-cut renderer for the plain clips). A fresh "
        "workdir per run, so the ASR cache never answers. Clips render while items are "
        "analyzed, so most render time is inside `analyze`.",
        "",
        *_common(data),
        *_stage_table(data),
        "",
        "| measure | value | target (2 cores) |",
        "|---|---:|---|",
        f"| end to end | {_mmss(data['wall_seconds'])} | under {_mmss(TARGET_WALL_SECONDS)} "
        f"{'✅' if wall_ok else '❌'} |",
    ]
    if cpu is not None:
        lines.append(f"| CPU (user + system, clipora and its children) | {_mmss(cpu)} | |")
    lines += [
        f"| peak RSS, clipora + ffmpeg children | {data['peak_rss_tree_mb']:.0f} MB | "
        f"under {TARGET_RSS_MB} MB {'✅' if rss_ok else '❌'} |",
        f"| peak RSS, clipora process | {data['peak_rss_main_mb']:.0f} MB{_during(data)} | |",
        f"| peak job folder | {data['peak_workdir_mb']:.0f} MB | |",
        f"| peak temporary folder | {data['peak_tmp_mb']:.0f} MB | |",
    ]
    return "\n".join(lines) + "\n"


def _change(first: float, last: float) -> str:
    if not first:
        return "n/a"
    pct = (last / first - 1) * 100
    trend = "flat" if abs(pct) <= 10 else ("falling" if pct < 0 else "rising")
    return f"{pct:+.0f} %, {trend}"


def pipeline_scaling_section(data: dict[str, Any]) -> str:
    runs = sorted(data["runs"], key=lambda r: r["source"]["duration_seconds"])
    lengths = ", ".join(f"{r['source']['duration_seconds'] / 60:g}" for r in runs)
    stages = [s for s in STAGES if any(s in r["stages"] for r in runs)]
    counts = sorted({len(r["source"].get("freezes", [])) for r in runs})
    freezes = " or ".join(map(str, counts)) + (" freeze" if counts == [1] else " freezes")
    lines = _intro(
        f"Scaling: the same request at {lengths} minutes",
        "`uv run python bench/pipeline.py --scaling 20,60,180` — the request of the realistic "
        f"hour ({_request(data.get('sets', []))}) on recordings from the same generator at "
        f"each length: one product per 3 minutes, the same share of speech, {freezes} each, "
        "720p30. Per hour = the figure divided by the recorded hours: flat means the cost grows "
        "linearly with the recording. Peak RSS should stay flat in absolute terms (so fall per "
        "hour). Stage columns are wall seconds.",
        data,
    )
    lines += [
        "| recording | speech | freezes removed | "
        + " | ".join(stages)
        + " | wall | CPU | peak RSS (tree) | wall per hour | CPU per hour | peak RSS per hour "
        "| load before |",
        "|---:|---:|---:|" + "---:|" * len(stages) + "---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        src = r["source"]
        hours = src["duration_seconds"] / 3600
        cells = [
            f"{src['duration_seconds'] / 60:g} min",
            f"{src['speech_seconds'] / 60:.1f} min",
            f"{r['freezes_removed']}/{len(src.get('freezes', []))}",
            *[f"{r['stages'][s]['seconds']:.0f} s" if s in r["stages"] else "" for s in stages],
            _mmss(r["wall_seconds"]),
            _mmss(r["cpu_seconds_children"]),
            f"{r['peak_rss_tree_mb']:.0f} MB",
            _mmss(r["wall_seconds"] / hours),
            _mmss(r["cpu_seconds_children"] / hours),
            f"{r['peak_rss_tree_mb'] / hours:.0f} MB",
            f"{r['load_before'][0]:.1f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if len(runs) > 1:
        a, b = runs[0], runs[-1]
        ha, hb = (r["source"]["duration_seconds"] / 3600 for r in (a, b))
        wall = (a["wall_seconds"] / ha, b["wall_seconds"] / hb)
        cpu = (a["cpu_seconds_children"] / ha, b["cpu_seconds_children"] / hb)
        rss = (a["peak_rss_tree_mb"], b["peak_rss_tree_mb"])
        lines += [
            "",
            f"From {a['source']['duration_seconds'] / 60:g} to "
            f"{b['source']['duration_seconds'] / 60:g} minutes, per recorded hour: wall "
            f"{_mmss(wall[0])} → {_mmss(wall[1])} ({_change(*wall)}), CPU {_mmss(cpu[0])} → "
            f"{_mmss(cpu[1])} ({_change(*cpu)}); peak RSS {rss[0]:.0f} → {rss[1]:.0f} MB "
            f"({_change(*rss)} in absolute terms).",
        ]
    return "\n".join(lines) + "\n"


def pipeline_seller_section(data: dict[str, Any]) -> str:
    seconds = data["source"]["duration_seconds"]
    lines = [
        f"## The seller's request: a {seconds / 60:g}-minute recording",
        "",
        "`uv run python bench/pipeline.py --seller` — what a seller runs on a short recording: "
        f"{_request(data.get('sets', []))}; otherwise defaults. Same generator as the hour, "
        "fresh workdir.",
        "",
        *_common(data),
        *_stage_table(data),
        "",
        "| measure | value |",
        "|---|---:|",
        f"| **end to end** | **{_mmss(data['wall_seconds'])}** "
        f"({data['wall_seconds'] / seconds:.2f}× the recording's length) |",
        f"| CPU (user + system, clipora and its children) | "
        f"{_mmss(data['cpu_seconds_children'])} |",
        f"| peak RSS, clipora + ffmpeg children | {data['peak_rss_tree_mb']:.0f} MB |",
        f"| peak RSS, clipora process | {data['peak_rss_main_mb']:.0f} MB{_during(data)} |",
    ]
    return "\n".join(lines) + "\n"


def long_input_section(data: dict[str, Any]) -> str:
    big = data.get("largest_files_mb", {})
    lines = [
        "## Long input: 3-hour stream",
        "",
        "`uv run python bench/long_input.py` — same generator, 3 hours at a small resolution.",
        "",
        *_common(data),
        *_stage_table(data),
        "",
        "| measure | value |",
        "|---|---:|",
        f"| peak RSS, clipora + ffmpeg children | {data['peak_rss_tree_mb']:.0f} MB |",
        f"| peak RSS, clipora process | {data['peak_rss_main_mb']:.0f} MB{_during(data)} |",
        f"| peak job folder | {data['peak_workdir_mb']:.0f} MB |",
        f"| peak temporary folder | {data['peak_tmp_mb']:.0f} MB |",
        f"| a full copy of the source written | {'yes ❌' if data['full_copy_of_source'] else 'no ✅'} |",
        "",
        "Largest files written during the run:",
        "",
        *[f"- `{name.split('/', 2)[-1]}`: {mb:.1f} MB" for name, mb in big.items()],
    ]
    return "\n".join(lines) + "\n"


def _machine_line(data: dict[str, Any]) -> str:
    m = data["machine"]
    return f"Machine: {m['cpus']} cores, Python {m['python']}, {m['date']}."


def _intro(title: str, text: str, data: dict[str, Any]) -> list[str]:
    """A section's heading, its description and the machine it ran on."""
    return [f"## {title}", "", text, "", _machine_line(data), ""]


def render_section(data: dict[str, Any]) -> str:
    src, plan = data["source"], data["plan"]
    frame = data["frame_seconds"]
    lines = [
        "## Render: our renderer against the reference method",
        "",
        "`uv run python bench/render.py` — the same plan on the same long source, rendered with "
        "`clipora_render_ffmpeg` and with the earlier tool's method (one ffmpeg input seeked to "
        "the earliest window, trim + concat in one filter graph, libx264 preset medium CRF 23). "
        'Clips render one after another, except in the rows marked "2 clips at once": '
        "those render as our render stage does at its defaults (`concurrency.render: 2`). The "
        "earlier tool's `clipora render` renders its clips strictly one after another "
        "(reference-spec 10, item 48). Times are the best of "
        f"{data['runs']} interleaved runs; CPU is user+sys of the process and its ffmpeg "
        "children (steadier than wall time on a shared machine).",
        "",
        f"Source: {src['duration_seconds'] / 60:.0f} min, {src['size']}, 25 fps H.264 with "
        f"B-frames, {src['gop_seconds']:g} s GOP, AAC. Plan: {plan['clips']} clips, "
        f"{plan['windows']} windows, {plan['output_seconds']:.0f} s of output; each clip's "
        f"windows span {min(plan['spans_seconds'])}-{max(plan['spans_seconds'])} s of the source.",
        "",
        _machine_line(data),
        "",
        "| method | preset | wall | CPU | output | worst duration error | all streams within a frame |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for m in data["methods"]:
        ok = m["worst_duration_error_seconds"] <= frame + 1e-6
        lines.append(
            f"| {m['label']} | {m['preset']} | {min(m['wall_seconds']):.1f} s | "
            f"{min(m['cpu_seconds']):.1f} s | {m['output_mb']:.1f} MB | "
            f"{m['worst_duration_error_seconds'] * 1000:.0f} ms | {'✅' if ok else '❌'} |"
        )
    targets = {
        "smart_cut": 10,
        "burn_in": 3,
        "smart_cut_stage": 10,
        "burn_in_stage": 3,
        "both_at_1_2": 3,
    }
    names = {
        "smart_cut": "no burn-in (smart cut), default preset",
        "burn_in": "burn-in, default preset (veryfast)",
        "smart_cut_stage": "no burn-in, 2 clips at once (render stage default)",
        "burn_in_stage": "burn-in, 2 clips at once (render stage default)",
        "smart_cut_preset_medium": "no burn-in, both at preset medium",
        "burn_in_preset_medium": "burn-in, both at preset medium",
        "burn_in_preset_superfast": "burn-in, ours at preset superfast",
        "both_at_1_2": "plain + subtitled clip (`both`) at playback 1.2, ours from one decode",
    }
    lines += ["", "| speed-up (reference / ours) | wall | CPU | target |", "|---|---:|---:|---|"]
    for key, r in data["ratios"].items():
        target = targets.get(key)
        verdict = ""
        if target:
            verdict = f"≥ {target}× {'✅' if min(r['wall'], r['cpu']) >= target else '❌'}"
        lines.append(f"| {names.get(key, key)} | {r['wall']:.1f}× | {r['cpu']:.1f}× | {verdict} |")
    quality = data["ratios"].get("both_at_1_2", {}).get("ssim")
    if quality:
        gap = quality["reference"] - quality["ours"]
        lines += [
            "",
            f"Quality of the `both` case (plain clips, mean SSIM of each method against its own "
            f"lossless render of the same windows at 1.2×): ours {quality['ours']:.4f}, reference "
            f"{quality['reference']:.4f}; "
            + (
                "matched (within 0.002) ✅"
                if gap <= 0.002
                else f"ours lower by {gap:.4f}, not matched ❌"
            ),
        ]
    return "\n".join(lines) + "\n"


def clean_section(data: dict[str, Any]) -> str:
    src, summary = data["source"], data["summary"]
    full, fast = summary["full"], summary["fast"]
    ok = fast["ffmpeg_cpu_percent_of_duration"] <= 8
    same = fast["vs_full"]["max_boundary_difference_frames"]
    freezes = ", ".join(f"{s:g} s for {d:g} s" for s, d in src["freezes"])
    lines = [
        "## Cleaning: finding frozen video",
        "",
        "`uv run python bench/clean.py` — the freeze cleaner's detection on a "
        f"{src['duration_seconds'] / 60:.0f}-minute {src['size']} {src['fps']} fps H.264 "
        f"recording ({src['video_mbit_per_s']:.0f} Mbit/s, {src['gop_seconds']:g} s GOP) with "
        f"three freezes ({freezes}): the full decode against the fast path (keyframes compared, "
        "then only the candidate stretches decoded in full). Cleaning writes no video: later "
        "stages read the recording through the time map, so this is the clean stage's cost.",
        "",
        f"Machine: {data['machine']['cpus']} cores, {data['machine']['date']}; load before "
        f"{data['load_before'][0]:.1f}. CPU is user+sys of the ffmpeg processes.",
        "",
        "| method | CPU | CPU, share of the recording | wall | spans |",
        "|---|---:|---:|---:|---|",
        f"| full decode | {full['ffmpeg_cpu_seconds']:.1f} s | "
        f"{full['ffmpeg_cpu_percent_of_duration']:.1f} % | {full['wall_seconds']:.1f} s | "
        f"{len(full['spans'])} |",
        f"| fast path | {fast['ffmpeg_cpu_seconds']:.1f} s | "
        f"{fast['ffmpeg_cpu_percent_of_duration']:.1f} % {'✅' if ok else '❌'} (target ≤ 8 %) | "
        f"{fast['wall_seconds']:.1f} s | same as the full decode to {same:g} frames |",
        "",
        "The fast path falls back to the full decode where it cannot promise to find every "
        "freeze as long as the shortest removal (`cleaning.freeze.min_remove_duration_seconds`): "
        "keyframes further apart than half of it, a codec other than H.264/HEVC, or candidates "
        "covering half the recording.",
    ]
    return "\n".join(lines) + "\n"


def asr_section(data: dict[str, Any]) -> str:
    lines = _intro(
        "ASR: real-time factor of the local backend",
        "`uv run python bench/asr.py` — Clipora's `local` backend against raw faster-whisper, same "
        f"model instance and settings (Whisper {data['model']}, {data['compute_type']} on the "
        f"{data['device']}, {data['threads']} threads, beam {data['beam_size']}, VAD, word "
        f"timestamps); median of {data['repeat']} alternating runs. RTF is wall seconds per "
        "audio second; CPU is process CPU seconds per audio second.",
        data,
    ) + [
        "| audio | length | RTF raw | RTF ours | CPU raw | CPU ours | overhead (CPU) | same transcript |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in data["rows"]:
        over = (r["ours_cpu_per_audio_second"] / r["raw_cpu_per_audio_second"] - 1) * 100
        lines.append(
            f"| {r['file']} | {r['audio_seconds']:.0f} s | {r['raw_rtf']:.3f} | {r['ours_rtf']:.3f} | "
            f"{r['raw_cpu_per_audio_second']:.3f} | {r['ours_cpu_per_audio_second']:.3f} | "
            f"{over:+.1f} % | {'yes' if r['same_text'] else 'no'} |"
        )
    return "\n".join(lines) + "\n"


def encode_quality_section(data: dict[str, Any]) -> str:
    clip = data["clip"]
    rows = data["rows"]
    base = next((r for r in rows if (r["preset"], r["crf"]) == ("medium", 23)), rows[0])
    lines = _intro(
        "Burn-in encode settings: speed, size and quality",
        "`uv run python bench/encode_quality.py` — one clip of the render benchmark "
        f"({clip['windows']} windows, {clip['seconds']:.0f} s, burned-in subtitles) rendered by "
        "`clipora_render_ffmpeg` at several `render.ffmpeg.preset` / `render.ffmpeg.crf` settings. SSIM is "
        "measured against a lossless render of the same frames. Preset medium at CRF 23 is the "
        "earlier tool's setting; ours is veryfast at CRF 23.",
        data,
    ) + [
        "| preset | CRF | wall | CPU | speed vs medium 23 (CPU) | file | SSIM |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['preset']} | {r['crf']} | {r['wall_seconds']:.1f} s | {r['cpu_seconds']:.1f} s"
            f" | {base['cpu_seconds'] / r['cpu_seconds']:.1f}× | {r['size_mb']:.1f} MB"
            f" | {r['ssim']:.4f} |"
        )
    return "\n".join(lines) + "\n"


def render_memory_section(data: dict[str, Any]) -> str:
    src = data["source"]
    lines = _intro(
        "Render memory on an 8-hour recording",
        "`uv run python bench/render_memory.py` — every ffmpeg input loads the source's whole "
        f"packet index. Source: {src['hours']:.0f} hours, {src['packets'] / 1e6:.2f} million "
        "packets (64x36 video, so only the index is large); one clip of "
        f"{data['windows']} windows. Peak RSS, each measured in a fresh process.",
        data,
    ) + [
        "| what | peak RSS |",
        "|---|---:|",
        f"| one ffmpeg, 1 input | {data['ffmpeg_one_input_mb']} MB |",
        f"| one ffmpeg, 4 inputs | {data['ffmpeg_four_inputs_mb']} MB "
        f"({data['index_mb_per_input']} MB per input) |",
        f"| baseline: one ffmpeg with all {data['windows']} windows as inputs | "
        f"{data['baseline_all_inputs_mb']} MB |",
    ]
    labels = {"burn_in": "full re-encode (burn-in)", "smart_cut": "smart cut"}
    for key, r in data["ours"].items():
        lines.append(
            f"| ours, {labels.get(key, key)}: largest ffmpeg ({r['method']}, {r['pieces']} pieces)"
            f" | {r['ffmpeg_peak_mb']} MB |"
        )
        lines.append(
            f"| ours, {labels.get(key, key)}: the Python process | {r['python_peak_mb']} MB |"
        )
    return "\n".join(lines) + "\n"


TARGETS_F1_8 = {"en/none": 0.9, "zh/none": 0.85, "en/list": 0.95, "zh/list": 0.9}


def segmentation_section(data: dict[str, Any]) -> str:
    excluded = data.get("excluded") or []
    streams = sorted({r["stream"] for r in data["streams"]})
    lines = _intro(
        "Clip quality on streams the engine was never tuned on (test half)",
        "`uv run python bench/segmentation.py` — the offline live_commerce engine through the real "
        "CLI (Whisper base), once without and once with the seller's product list (`--products`, "
        "which also makes the names ASR hotwords), on the test half of `bench/corpus/` "
        f"({', '.join(streams)}"
        + (f"; left out: {', '.join(excluded)}" if excluded else "")
        + "). Boundary F1 pools item windows against the scripts' product spans; title hits are "
        "products whose item title holds one of their keywords; filler windows are clip windows "
        "with no product speech; edges in speech are window edges where the audio is not silent.",
        data,
    ) + [
        "| language / list | F1 ±3 s | F1 ±8 s (target) | items off by | titles | filler windows | "
        "edges in speech | callbacks joined | names heard (raw → used) | WER/CER |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, p in data["pooled"].items():
        target = TARGETS_F1_8.get(key)
        lines.append(
            f"| {key} | {p['f1_3']:.2f} | {p['f1_8']:.2f} ({target:.2f}) | "
            f"{p['relative_item_count_error'] * 100:.0f} % | {p['title_hits']:.2f} | "
            f"{p['filler_windows']}/{p['clip_windows']} | {p['edges_in_speech'] * 100:.1f} % | "
            f"{p['callbacks_joined']} | {p['names_heard_raw']:.2f} → {p['names_heard']:.2f} | "
            f"{p['error_rate_raw']:.3f} |"
        )
    listed = [(k, p) for k, p in data["pooled"].items() if "unlisted_flagged" in p]
    if listed:
        lines += [
            "",
            "With the list: "
            + "; ".join(
                f"{k.split('/')[0]}: unlisted products flagged {p['unlisted_flagged']}, listed products "
                f"never pitched reported {p['not_pitched_reported']}"
                for k, p in listed
            )
            + ".",
        ]
    return "\n".join(lines) + "\n"


def presence_section(data: dict[str, Any]) -> str:
    lines = _intro(
        "Presence detector (opt-in MediaPipe plugin)",
        f"`uv run python bench/presence.py` — {data['source']}, a person 10 s then an empty "
        "room 5 s, sampled over the whole recording. Baseline in the same run: decoding the same "
        "sample frames with no model.",
        data,
    ) + [
        "| interval | samples | wall | CPU | ms per sample | × real time | wall over decode | CPU over decode |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in data["rows"]:
        d = r["detector"]
        lines.append(
            f"| {r['interval_seconds']:g} s | {r['samples']} | {d['wall']:.1f} s | {d['cpu']:.1f} s | "
            f"{r['ms_per_sample']:.0f} | {r['x_realtime']:.1f} | {r['over_decode_wall']:.2f}× | "
            f"{r['over_decode_cpu']:.2f}× |"
        )
    return "\n".join(lines) + "\n"


def batch_section(data: dict[str, Any]) -> str:
    m = data["machine"]
    n, minutes = data["recordings"], data["minutes_each"]
    lines = [
        "## Batch: six recordings, three executors",
        "",
        f"`uv run python bench/batch.py` — `clipora batch` over {n} copies of a {minutes:g}-minute "
        "720p30 recording of the pipeline generator (three products, one freeze), ASR cache off "
        "so each costs a full run, default request, `batch.cpus_per_recording=1`. On one machine "
        "the three cases share the same CPUs: the table shows what each executor costs on top of "
        "the work, not a speed-up (that needs more machines; see docs/batch.md for the paper "
        "estimate). CPU is the machine's busy time during the case (`/proc/stat`: Ray's daemons "
        "and workers included), next to the recording units' own CPU from the batch report "
        "(with Ray a recording's clip renders are units of their own, not counted there).",
        "",
        f"Machine: {m['cpus']} cores, Python {m['python']}, {m['date']}; load average before "
        f"{data['load_before']:.1f}.",
        "",
        "| executor | wall | vs local | CPU (machine) | vs local | CPU in recording units | recordings done | clips |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in data["cases"]:
        lines.append(
            f"| {c['executor']} | {_mmss(c['wall_seconds'])} | {c['wall_vs_local']:.2f}× | "
            f"{_mmss(c['cpu_seconds'])} | {c['cpu_vs_local']:.2f}× | "
            f"{_mmss(c['unit_cpu_seconds'])} | {c['recordings_done']}/{n} | {c['clips']} |"
        )
    per_hour = data["cpu_seconds_per_recorded_hour"]
    lines += [
        "",
        "CPU per recorded hour: "
        + ", ".join(f"{k} {_mmss(v)}" for k, v in per_hour.items())
        + " (min:s).",
    ]
    return "\n".join(lines) + "\n"


def reframe_section(data: dict[str, Any]) -> str:
    lines = _intro(
        "Vertical clips that follow the subject (`fit: subject`)",
        f"`uv run python bench/reframe.py` — {data['clips']} clips of {data['clip_seconds']:g} s "
        f"(a hook and two body windows each) cut to 9:16 from {data['source']}, a 1280x720 "
        "recording of a person (a photograph) drifting and swaying across a studio wall; best "
        f"of {data['runs']} interleaved runs. `subject` includes locating the person (MediaPipe "
        "pose, 2 samples a second) and planning the crop, as the render stage does; `pad` (bars, "
        "the same 720x1280 canvas) is the baseline of the same run. CPU is this process and its "
        "ffmpeg children.",
        data,
    ) + [
        "| fit | wall | CPU | CPU vs pad | wall vs pad | of which locating (wall) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for fit, r in data["methods"].items():
        locate = f"{r['locate_wall_seconds']:.1f} s" if fit == "subject" else "–"
        lines.append(
            f"| {fit} | {r['wall_seconds']:.1f} s | {r['cpu_seconds']:.1f} s | "
            f"{r['cpu_ratio_to_pad']:.2f}× | {r['wall_ratio_to_pad']:.2f}× | {locate} |"
        )
    return "\n".join(lines) + "\n"


SECTIONS = {
    "pipeline": pipeline_section,
    "clean": clean_section,
    "pipeline_scaling": pipeline_scaling_section,
    "pipeline_seller": pipeline_seller_section,
    "long_input": long_input_section,
    "render": render_section,
    "asr": asr_section,
    "encode_quality": encode_quality_section,
    "render_memory": render_memory_section,
    "segmentation": segmentation_section,
    "presence": presence_section,
    "batch": batch_section,
    "reframe": reframe_section,
}


def replace_section(text: str, name: str, body: str) -> str:
    begin, end = f"<!-- BEGIN bench:{name} -->", f"<!-- END bench:{name} -->"
    block = f"{begin}\n{body}{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text)
    return text.rstrip("\n") + "\n\n" + block + "\n"


def main() -> int:
    only = set(sys.argv[1:])
    unknown = only - set(SECTIONS)
    if unknown:
        print(f"unknown section(s) {', '.join(sorted(unknown))}; known: {', '.join(SECTIONS)}")
        return 2
    text = DOC.read_text(encoding="utf-8") if DOC.is_file() else HEADER
    done = []
    for name, render in SECTIONS.items():
        if only and name not in only:
            continue
        path = RESULTS / f"{name}.json"
        if not path.is_file():
            continue
        text = replace_section(text, name, render(json.loads(path.read_text(encoding="utf-8"))))
        done.append(name)
    if not done:
        print(f"no results in {RESULTS}; run bench/pipeline.py or bench/long_input.py first")
        return 1
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    print(f"{DOC}: updated {', '.join(done)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
