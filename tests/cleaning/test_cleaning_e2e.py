"""``clipora run`` with ``cleaning.enabled=true`` on a recording whose picture freezes for 6 s
between two products.

The source (160x120, 25 fps, lossless so the freeze is exact to the frame) moves for 12 s, shows
one still picture for 6 s, then moves again. A 440 Hz tone plays, 1 kHz while the picture is
frozen, with short 3 kHz beeps at known times to check that sound and picture stay together. The pitch is an SRT beside
the video (``asr.mode=import``, no Whisper), timed on the ORIGINAL recording: the first product
before the freeze, the second after it, and one line said during the freeze. A user sees: the
frozen span removed, the clean/ records and no copy of the video, plans and render results that
give every window on both timelines, clips whose pictures are where those times say, a window
across the removed span played without it, and plans made by earlier versions (on their cleaned
copy) still rendering."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import av
import imageio_ffmpeg
import numpy as np
import pytest

pytestmark = pytest.mark.slow

FPS = 25
FRAME = 1 / FPS
FREEZE = (12.0, 18.0)  # original timeline: the truth every assertion compares against
REMOVED = FREEZE[1] - FREEZE[0]
DURATION = 30.0
CLEANED = DURATION - REMOVED

PITCH = [  # (start, end, text) on the original recording's timeline
    (0.5, 3.0, "First product is this water bottle."),
    (3.0, 6.0, "The water bottle is stainless steel and keeps drinks cold all day."),
    (6.0, 9.0, "It is usually $49, today only $29."),
    (9.0, 11.5, "The link is up, grab the water bottle now."),
    (13.0, 16.0, "Sorry, the camera is stuck, one moment."),  # inside the freeze: cut with it
    (18.5, 21.0, "Next product is this phone stand."),
    (21.0, 24.0, "The phone stand folds flat and fits in any bag."),
    (24.0, 27.0, "The phone stand is usually $25, today only $15."),
    (27.0, 29.5, "The link is up for the phone stand."),
]
FROZEN_LINE = PITCH[4][2]
BEEPS = (10.0, 19.0)  # original timeline
BEEP_HZ, FROZEN_HZ, TONE_HZ = 3000, 1000, 440
AUDIO = (
    f"0.3*sin(2*PI*if(between(t\\,{FREEZE[0]}\\,{FREEZE[1]})\\,{FROZEN_HZ}\\,{TONE_HZ})*t)"
    + "".join(f"+0.5*between(t\\,{b}\\,{b + 0.05})*sin(2*PI*{BEEP_HZ}*t)" for b in BEEPS)
)

CONFIG = """\
asr:
  mode: import
analysis:
  semantic_min_duration_seconds: 2
render_subtitles:
  mode: disabled
concurrency:
  render: 2
"""


def srt_time(x: float) -> str:
    ms = round(x * 1000)
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def frozen_pitch_video(path: Path) -> Path:
    first, last = int(FREEZE[0] * FPS), int(FREEZE[1] * FPS) - 1
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=s=160x120:r={FPS}:d={DURATION}",
            "-f", "lavfi", "-i", f"aevalsrc='{AUDIO}':s=44100:d={DURATION}",
            "-filter_complex",
            f"[0:v]split[a][b];[a][b]freezeframes=first={first}:last={last}:replace={first}[v]",
            "-map", "[v]", "-map", "1:a",
            # Lossless: an encoder refining a still picture over several frames would move the
            # detected start by a few hundred ms; here the truth is exact.
            "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p",
            "-g", "50", "-c:a", "aac", "-shortest", str(path),
        ],
        check=True,
    )  # fmt: skip
    cues = [
        f"{i}\n{srt_time(a)} --> {srt_time(b)}\n{text}\n" for i, (a, b, text) in enumerate(PITCH, 1)
    ]
    path.with_suffix(".srt").write_text("\n".join(cues), encoding="utf-8")
    return path


def read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def durations(path: Path) -> dict[str, float]:
    with av.open(str(path)) as c:
        out = {"container": float(c.duration or 0) / 1_000_000}
        for s in c.streams:
            if s.type in ("video", "audio") and s.type not in out and s.duration is not None:
                out[s.type] = float(s.duration * s.time_base)
    return out


def decode_gray(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="gray").astype(np.int16) for f in c.decode(video=0)]


def to_original(t: float) -> float:
    """The truth: cleaned-timeline seconds -> original-timeline seconds."""
    return t if t <= FREEZE[0] + 1e-6 else t + REMOVED


def clipora(home: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """The installed ``clipora`` script, with the config in ``home`` and no CLIPORA_* from the
    test's environment."""
    script = Path(sys.executable).with_name("clipora")
    argv = [str(script)] if script.is_file() else [sys.executable, "-m", "clipora_core.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIPORA_")}
    env["HOME"] = str(home)
    return subprocess.run(
        [*argv, *(str(a) for a in args), "--config", str(home / "clipora.yaml")],
        capture_output=True, text=True, env=env, cwd=home, timeout=180,
    )  # fmt: skip


@pytest.fixture(scope="module")
def cleaned_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    d = tmp_path_factory.mktemp("cleaning-e2e")
    video = frozen_pitch_video(d / "live 1.mp4")
    home = d / "home"
    home.mkdir()
    workdir = json.dumps(str(home / "workdir"))
    (home / "clipora.yaml").write_text(f"paths:\n  workdir: {workdir}\n{CONFIG}", encoding="utf-8")
    proc = clipora(home, "run", video, "--set", "cleaning.enabled=true")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    job = Path(proc.stdout.strip().splitlines()[-1])
    return {"job": job, "video": video, "home": home}


def windows_of(entries: list[dict[str, Any]]) -> list[tuple[float, float]]:
    return [(w["start_seconds"], w["end_seconds"]) for w in entries]


def test_clean_records_the_frozen_span(cleaned_run: dict[str, Any]) -> None:
    clean = cleaned_run["job"] / "clean"
    (removed,) = read(clean / "removed_intervals.json")
    assert removed["start_seconds"] == pytest.approx(FREEZE[0], abs=FRAME)
    assert removed["end_seconds"] == pytest.approx(FREEZE[1], abs=FRAME)
    assert removed["reason"] == "frozen"
    keep = [t for w in windows_of(read(clean / "keep_intervals.json")) for t in w]
    assert keep == pytest.approx([0.0, FREEZE[0], FREEZE[1], DURATION], abs=FRAME)
    tm = read(clean / "time_map.json")
    assert [e[k] for e in tm for k in ("source_start_seconds", "source_end_seconds")] == keep
    cleaned = [e[k] for e in tm for k in ("cleaned_start_seconds", "cleaned_end_seconds")]
    assert cleaned == pytest.approx([0.0, FREEZE[0], FREEZE[0], CLEANED], abs=FRAME)
    summary = read(clean / "summary.json")
    assert summary["removed_duration_seconds"] == pytest.approx(REMOVED, abs=FRAME)
    assert summary["original_duration_seconds"] == pytest.approx(DURATION, abs=FRAME)


def test_cleaning_makes_no_copy_of_the_video(cleaned_run: dict[str, Any]) -> None:
    """The cleaned timeline is the recording read through the time map: the job folder holds
    no video, the probe is the recording's, the manifest gives the cleaned duration."""
    job, video = cleaned_run["job"], cleaned_run["video"]
    manifest = read(job / "manifest.json")
    assert manifest["effective_source_path"] == str(video)
    assert manifest["cleaning"]["virtual"] is True
    assert manifest["cleaning"]["cleaned_duration_seconds"] == pytest.approx(CLEANED, abs=FRAME)
    media = [p for p in job.rglob("*") if p.suffix in (".mp4", ".mkv", ".flac", ".wav")]
    assert [p.parent.name for p in media if p.parent.name != "renders"] == [], media
    assert read(job / "inspect" / "probe.json")["duration_seconds"] == pytest.approx(
        DURATION, abs=FRAME
    )
    assert durations(video)["video"] == pytest.approx(DURATION, abs=FRAME)  # untouched


def test_the_transcript_moved_onto_the_cleaned_timeline(cleaned_run: dict[str, Any]) -> None:
    transcript = read(cleaned_run["job"] / "semantic" / "transcript.json")
    by_text = {s["text"]: (s["start_seconds"], s["end_seconds"]) for s in transcript["segments"]}
    assert FROZEN_LINE not in by_text, "a line said during the removed span is dropped"
    assert any("removed by cleaning" in w for w in transcript["warnings"])
    for start, end, text in PITCH:
        if text == FROZEN_LINE:
            continue
        shift = REMOVED if start >= FREEZE[1] else 0.0
        assert by_text[text] == pytest.approx((start - shift, end - shift), abs=FRAME), text


def check_both_timelines(entries: list[dict[str, Any]], what: str) -> int:
    """Check every entry's ``windows``/``original_windows`` pair; return how many windows lie
    after the frozen span."""
    after = 0
    for e in entries:
        cleaned, original = windows_of(e["windows"]), windows_of(e["original_windows"])
        assert cleaned and len(original) == len(cleaned), (what, e)
        for (a, b), (oa, ob) in zip(cleaned, original, strict=True):
            assert b <= CLEANED + FRAME, (what, e)
            assert (oa, ob) == pytest.approx((to_original(a), to_original(b)), abs=FRAME), (what, e)
            if a >= FREEZE[0]:
                after += 1
                assert oa - a == pytest.approx(REMOVED, abs=FRAME), (what, e)
    return after


def test_plan_and_results_give_both_timelines(cleaned_run: dict[str, Any]) -> None:
    job = cleaned_run["job"]
    plan = read(job / "analysis" / "edit_plan.json")
    assert plan["source_path"] == read(job / "manifest.json")["effective_source_path"]
    assert len({s["metadata"]["semantic_item_id"] for s in plan["segments"]}) == 2
    assert check_both_timelines(plan["segments"], "edit_plan.json")
    items = sorted((job / "analysis" / "items").glob("*.json"))
    assert items and sum(check_both_timelines(read(p)["segments"], p.name) for p in items)
    result = read(job / "renders" / "execution_result.json")
    assert result["failure_count"] == 0 and result["success_count"] == len(plan["segments"])
    assert check_both_timelines(result["artifacts"], "execution_result.json")
    by_id = {s["id"]: s for s in plan["segments"]}
    for art in result["artifacts"]:
        assert art["windows"] == by_id[art["clip_id"]]["windows"]
        assert art["original_windows"] == by_id[art["clip_id"]]["original_windows"]


def test_clips_show_what_the_original_timeline_says(cleaned_run: dict[str, Any]) -> None:
    """Each clip plays for the sum of its windows, and the middle of every window shows the
    original recording's picture at the middle of its ``original_windows`` entry (what a user
    looking the moment up in the recording finds), not the picture at the cleaned time."""
    job, video = cleaned_run["job"], cleaned_run["video"]
    original = decode_gray(video)

    def nearest(frame: np.ndarray, around: int) -> tuple[int, float]:
        diffs = {
            j: float(np.abs(frame - original[j]).mean())
            for j in range(max(0, around - 3), min(len(original), around + 4))
        }
        best = min(diffs, key=diffs.__getitem__)
        return best, diffs[best]

    after_freeze = 0
    for art in read(job / "renders" / "execution_result.json")["artifacts"]:
        out = Path(art["output_path"])
        assert art["success"] and out.is_file()
        cleaned, orig = windows_of(art["windows"]), windows_of(art["original_windows"])
        played = sum(b - a for a, b in cleaned)
        d = durations(out)
        assert d["video"] == pytest.approx(played, abs=FRAME)
        assert d["audio"] == pytest.approx(played, abs=FRAME)
        frames = decode_gray(out)
        offset = 0.0
        for (a, b), (oa, _) in zip(cleaned, orig, strict=True):
            half = (b - a) / 2
            frame = frames[round((offset + half) * FPS)]
            want = round((oa + half) * FPS)
            best, diff = nearest(frame, want)
            assert abs(best - want) <= 1, (art["clip_id"], (a, b), oa, best, want)
            if a >= FREEZE[0]:
                after_freeze += 1
                at_cleaned_time = float(np.abs(frame - original[round((a + half) * FPS)]).mean())
                assert at_cleaned_time > 4 * diff + 1, (art["clip_id"], (a, b))
            offset += b - a
    assert after_freeze


def test_render_plan_takes_cleaned_times_and_refuses_original_ones(
    cleaned_run: dict[str, Any], tmp_path: Path
) -> None:
    """``render --plan`` windows are on the cleaned timeline: the job's own plan renders again,
    and a window that exists only on the original recording (past the cleaned end) is refused
    before anything is encoded."""
    job, home = cleaned_run["job"], cleaned_run["home"]
    plan = read(job / "analysis" / "edit_plan.json")
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    plan["segments"][0]["windows"] = [
        {"start_seconds": CLEANED + 1.0, "end_seconds": DURATION - 0.5}
    ]
    (tmp_path / "original-times.json").write_text(json.dumps(plan), encoding="utf-8")
    before = sorted(p.name for p in (job / "renders").iterdir())

    proc = clipora(
        home,
        "render",
        job,
        "--plan",
        tmp_path / "original-times.json",
        "--set",
        "cleaning.enabled=true",
    )
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("[clipora] error:")]
    assert proc.returncode != 0 and len(errors) == 1, proc.stderr
    assert "falls outside the source" in errors[0] and f"{CLEANED:.2f}s" in errors[0], errors[0]
    assert sorted(p.name for p in (job / "renders").iterdir()) == before
    assert read(job / "manifest.json")["stages"]["render"]["status"] == "completed"

    proc = clipora(
        home, "render", job, "--plan", tmp_path / "plan.json", "--set", "cleaning.enabled=true"
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    result = read(job / "renders" / "execution_result.json")
    assert result["success_count"] == len(plan["segments"]) and result["failure_count"] == 0
    assert check_both_timelines(result["artifacts"], "execution_result.json after --plan")


CROSS = (8.0, 16.0)  # cleaned timeline: 8-12 s and 18-22 s of the recording


def tone_envelope(path: Path, hz: float, hop: float = 0.005) -> tuple[np.ndarray, float]:
    """Amplitude of a ``hz`` tone in the clip's sound per ``hop`` seconds."""
    with av.open(str(path)) as c:
        stream = c.streams.audio[0]
        rate = stream.codec_context.sample_rate
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        x = np.concatenate(
            [o.to_ndarray().reshape(-1) for f in c.decode(stream) for o in resampler.resample(f)]
        )
    t = np.arange(len(x)) / rate
    mixed = x * np.exp(-2j * np.pi * hz * t)
    n = int(hop * rate)
    frames = len(mixed) // n
    return 2 * np.abs(mixed[: frames * n].reshape(frames, n).mean(axis=1)), hop


def beep_onsets(path: Path) -> list[float]:
    env, hop = tone_envelope(path, BEEP_HZ)
    loud = env > 0.2
    return [i * hop for i in range(len(loud)) if loud[i] and (i == 0 or not loud[i - 1])]


def render_cross_cut(home: Path, job: Path, plan: dict[str, Any], tmp: Path) -> Path:
    plan["segments"] = plan["segments"][:1]
    plan["segments"][0]["windows"] = [{"start_seconds": CROSS[0], "end_seconds": CROSS[1]}]
    plan["segments"][0].pop("original_windows", None)
    path = tmp / "cross.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    proc = clipora(home, "render", job, "--plan", path)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    (art,) = read(job / "renders" / "execution_result.json")["artifacts"]
    assert art["success"], art
    return Path(art["output_path"])


def check_cross_cut_clip(clip: Path, video: Path) -> None:
    """The clip plays 8 s: 8-12 s and 18-22 s of the recording, no frozen frame between, the
    beeps of 10 s and 19 s at 2 s and 5 s of the clip, no sound of the frozen span."""
    played = CROSS[1] - CROSS[0]
    d = durations(clip)
    assert d["video"] == pytest.approx(played, abs=FRAME)
    assert d["audio"] == pytest.approx(played, abs=2 * FRAME)
    frames = decode_gray(clip)
    still = [i for i in range(1, len(frames)) if np.abs(frames[i] - frames[i - 1]).mean() < 0.5]
    assert not still, f"frozen frames at {[i / FPS for i in still[:5]]}"
    original = decode_gray(video)
    for clip_t, source_t in ((1.0, 9.0), (3.96, 11.96), (4.0, 18.0), (6.0, 20.0)):
        frame = frames[round(clip_t * FPS)]
        around = round(source_t * FPS)
        diffs = {
            j: float(np.abs(frame - original[j]).mean()) for j in range(around - 3, around + 4)
        }
        assert min(diffs, key=diffs.__getitem__) == around, (clip_t, diffs)
    assert beep_onsets(clip) == pytest.approx([2.0, 5.0], abs=0.03)
    # The frozen span's tone would sound for 6 s; AAC smears the switch at the join over a
    # frame or two (the source itself has it around 12 s and 18 s).
    frozen, hop = tone_envelope(clip, FROZEN_HZ)
    assert float((frozen > 0.15).sum()) * hop <= 0.05, "sound of the removed span is in the clip"


def test_a_window_across_the_removed_span_skips_it_in_sync(
    cleaned_run: dict[str, Any], tmp_path: Path
) -> None:
    job, home = cleaned_run["job"], cleaned_run["home"]
    plan = read(job / "analysis" / "edit_plan.json")
    clip = render_cross_cut(home, job, plan, tmp_path)
    check_cross_cut_clip(clip, cleaned_run["video"])
    (art,) = read(job / "renders" / "execution_result.json")["artifacts"]
    edges = [t for w in windows_of(art["original_windows"]) for t in w]
    assert edges == pytest.approx([8.0, FREEZE[0], FREEZE[1], 22.0], abs=FRAME)


def test_a_plan_made_on_the_old_cleaned_copy_still_renders(
    cleaned_run: dict[str, Any], tmp_path: Path
) -> None:
    """Earlier versions cleaned into ``clean/active_source.mp4`` and planned on it. Such a plan
    renders on a job cleaned since (the copy is gone: its windows are on the same cleaned
    timeline)."""
    job, home = cleaned_run["job"], cleaned_run["home"]
    plan = read(job / "analysis" / "edit_plan.json")
    plan["source_path"] = str(job / "clean" / "active_source.mp4")
    plan["source_fingerprint"] = "0123456789abcdef"  # the copy's, long deleted
    check_cross_cut_clip(render_cross_cut(home, job, plan, tmp_path), cleaned_run["video"])


def test_an_old_job_with_its_cleaned_copy_still_renders(
    cleaned_run: dict[str, Any], tmp_path: Path
) -> None:
    """A job cleaned by an earlier version: its manifest names the re-encoded copy as the
    effective source (no ``virtual``), its probe is the copy's, its plans are on the copy."""
    from clipora_core.fingerprints import sampled_file_hash

    job = tmp_path / "workdir" / cleaned_run["job"].name
    shutil.copytree(cleaned_run["job"], job, ignore=shutil.ignore_patterns("renders", "*.lock"))
    copy = job / "clean" / "active_source.mp4"
    keep = f"lt(t\\,{FREEZE[0]})+gte(t\\,{FREEZE[1]})"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error",
            "-i", str(cleaned_run["video"]),
            "-vf", f"select='{keep}',setpts=N/FRAME_RATE/TB",
            "-af", f"aselect='{keep}',asetpts=N/SR/TB",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
            "-c:a", "aac", str(copy),
        ],
        check=True,
    )  # fmt: skip
    manifest = read(job / "manifest.json")
    manifest["effective_source_path"] = str(copy)
    del manifest["cleaning"]["virtual"]
    manifest["probe"].update(duration_seconds=durations(copy)["container"], path=str(copy))
    (job / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    plan = read(job / "analysis" / "edit_plan.json")
    plan["source_path"] = str(copy)
    plan["source_fingerprint"] = sampled_file_hash(copy)
    home = cleaned_run["home"]
    clip = render_cross_cut(home, job, plan, tmp_path)
    check_cross_cut_clip(clip, cleaned_run["video"])
    assert copy.is_file()


def test_render_plan_keeps_the_cleaned_job_without_repeating_the_set(
    cleaned_run: dict[str, Any], tmp_path: Path
) -> None:
    """Runs last: today it resets the job's cleaning. A user renders a plan of a cleaned job
    without repeating ``--set cleaning.enabled=true``: the cleaned source must survive (render it,
    or refuse saying which setting differs), never be deleted by a render command."""
    job, home = cleaned_run["job"], cleaned_run["home"]
    plan = tmp_path / "plan.json"
    plan.write_text(
        (job / "analysis" / "edit_plan.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    proc = clipora(home, "render", job, "--plan", plan)
    assert (job / "clean" / "time_map.json").is_file(), proc.stderr
    assert read(job / "manifest.json")["cleaning"]["removed"] is True
    assert "another source" not in proc.stderr, proc.stderr


def test_speech_backends_hear_only_the_kept_audio(
    cleaned_run: dict[str, Any], tmp_path: Path
) -> None:
    """What an ASR backend that reads a file gets on a cleaned job: the kept pieces joined,
    as long as the cleaned timeline, the beeps where the cleaned timeline has them."""
    from clipora_core.contracts import TimeMapEntry
    from clipora_core.kept_audio import extract_kept_audio
    from clipora_core.media import Media

    tm = [TimeMapEntry.model_validate(e) for e in read(cleaned_run["job"] / "clean/time_map.json")]
    out = extract_kept_audio(cleaned_run["video"], tm, tmp_path / "kept.flac", Media())
    assert durations(out)["audio"] == pytest.approx(CLEANED, abs=0.005)
    assert beep_onsets(out) == pytest.approx([BEEPS[0], BEEPS[1] - REMOVED], abs=0.03)
    frozen, hop = tone_envelope(out, FROZEN_HZ)
    assert float((frozen > 0.15).sum()) * hop <= 0.05
    assert [p.name for p in tmp_path.iterdir()] == ["kept.flac"]
