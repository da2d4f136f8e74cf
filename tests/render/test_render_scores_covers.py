"""Clip scores and covers through ``clipora run`` / ``clipora render``, as a user runs them.

One recording (320x240 test pattern, blurred for the first half of every 4 s, an English SRT
read by ``asr.mode=import``) pitches the two products of its list: a phone stand, named and
priced but never pushed, then a water bottle with its price and a call to buy. The plan and the render result
carry each clip's score; the CLI, the batch report and the web gallery list the bottle first;
every clip gets a cover at the clip's size, from a sharp moment; with ``overlay_title`` the
cover is made again (the clips are not) with the title on it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from render_media import ffmpeg

pytestmark = pytest.mark.slow

PITCH = [
    (0.5, 3.0, "First product is this phone stand."),
    (3.0, 6.0, "The phone stand folds flat and fits in any bag."),
    (6.0, 9.0, "The phone stand is usually $25, today only $15."),
    (9.0, 11.5, "It holds every phone size, even tablets."),
    (12.0, 14.5, "Next product is this water bottle."),
    (14.5, 17.5, "The water bottle is stainless steel and keeps drinks cold all day."),
    (17.5, 20.5, "The water bottle is usually $49, today only $29."),
    (20.5, 23.0, "The link is up, grab the water bottle now."),
]
DURATION = 24
SIZE = (320, 240)
BLUR_PERIOD = 4.0  # the picture is blurred while t mod 4 < 2

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


def _srt_time(x: float) -> str:
    ms = round(x * 1000)
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def _video(path: Path) -> Path:
    w, h = SIZE
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=s={w}x{h}:r=25:d={DURATION}",
        "-f", "lavfi", "-i", f"sine=f=440:r=44100:d={DURATION}",
        "-vf", f"boxblur=12:enable='lt(mod(t,{BLUR_PERIOD:g}),{BLUR_PERIOD / 2:g})'",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "50",
        "-c:a", "aac", "-shortest", str(path),
    )  # fmt: skip
    cues = [
        f"{i}\n{_srt_time(a)} --> {_srt_time(b)}\n{text}\n"
        for i, (a, b, text) in enumerate(PITCH, 1)
    ]
    path.with_suffix(".srt").write_text("\n".join(cues), encoding="utf-8")
    return path


def _clipora(home: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    config = home / "clipora.yaml"
    if not config.is_file():
        home.mkdir(parents=True, exist_ok=True)
        workdir = json.dumps(str(home / "workdir"))
        config.write_text(f"paths:\n  workdir: {workdir}\n{CONFIG}", encoding="utf-8")
    script = Path(sys.executable).with_name("clipora")
    argv = [str(script)] if script.is_file() else [sys.executable, "-m", "clipora_core.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIPORA_")}
    env["HOME"] = str(home)
    proc = subprocess.run(
        [*argv, *(str(a) for a in args), "--config", str(config)],
        capture_output=True, text=True, env=env, cwd=home, timeout=180,
    )  # fmt: skip
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return proc


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _image(path: Path) -> np.ndarray:
    with av.open(str(path)) as c:
        frame = next(c.decode(video=0))
        return frame.to_ndarray(format="rgb24")


def _listed(stderr: str) -> list[str]:
    """Clip file names in the order the CLI's final table lists them."""
    return [
        Path(ln.split()[-1]).name for ln in stderr.splitlines() if ln.startswith("[clipora] ok")
    ]


@pytest.fixture(scope="module")
def job(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    d = tmp_path_factory.mktemp("scores-covers")
    home = d / "home"
    products = d / "products.json"
    products.write_text(
        json.dumps(
            {
                "products": [
                    {"name": "phone stand", "price": 15},
                    {"name": "water bottle", "price": 29},
                ]
            }
        ),
        encoding="utf-8",
    )
    run = _clipora(home, "run", _video(d / "two products.mp4"), "--products", products)
    return {"home": home, "job": Path(run.stdout.strip().splitlines()[-1]), "run": run}


def test_scores_are_in_the_plan_and_the_result_and_clips_are_listed_best_first(job) -> None:
    root: Path = job["job"]
    plan = _read(root / "analysis" / "edit_plan.json")
    result = _read(root / "renders" / "execution_result.json")
    segments = plan["segments"]
    assert len({s["metadata"]["semantic_item_id"] for s in segments}) == 2, segments
    parts = {
        "hook",
        "product_named",
        "price_stated",
        "call_to_action",
        "completeness",
        "length_fit",
    }
    for seg in segments:
        assert set(seg["score"]["parts"]) == parts
        assert 0 <= seg["score"]["total"] <= 100
    by_id = {a["clip_id"]: a for a in result["artifacts"]}
    for seg in segments:
        assert by_id[seg["id"]]["score"] == seg["score"]

    def product(seg: dict[str, Any]) -> str:
        return "bottle" if "bottle" in seg["title"].lower() else "stand"

    bottle = max(s["score"]["total"] for s in segments if product(s) == "bottle")
    stand = max(s["score"]["total"] for s in segments if product(s) == "stand")
    assert bottle > stand, segments
    best = max(segments, key=lambda s: s["score"]["total"])
    assert best["score"]["parts"]["price_stated"]["value"] == 1.0
    assert best["score"]["parts"]["call_to_action"]["value"] > 0
    assert all(
        s["score"]["parts"]["call_to_action"]["value"] == 0
        for s in segments
        if product(s) == "stand"
    )

    # The plan stays in time order; the CLI lists the clips by score, best first.
    assert product(segments[0]) == "stand"
    listed = _listed(job["run"].stderr)
    ranked = sorted(result["artifacts"], key=lambda a: -a["score"]["total"])
    assert listed == [Path(a["output_path"]).name for a in ranked]
    assert "score" in next(
        ln for ln in job["run"].stderr.splitlines() if ln.startswith("[clipora] ok")
    )


def test_each_clip_has_a_sharp_cover_at_its_size(job) -> None:
    root: Path = job["job"]
    result = _read(root / "renders" / "execution_result.json")
    for art in result["artifacts"]:
        clip = Path(art["output_path"])
        cover = Path(art["cover_path"])
        assert cover == clip.with_name(f"{clip.stem}-cover.jpg") and cover.is_file()
        image = _image(cover)
        assert image.shape[:2] == (SIZE[1], SIZE[0])
        assert image.std() > 20, "a real picture, not a flat frame"
        # The sharpest candidate is never one from the blurred half of the pattern's period.
        at = art["metadata"]["cover_seconds"]
        source = art["windows"][0]["start_seconds"]
        for w in art["windows"]:
            length = w["end_seconds"] - w["start_seconds"]
            if at <= length:
                source = w["start_seconds"] + at
                break
            at -= length
        assert source % BLUR_PERIOD >= BLUR_PERIOD / 2 - 0.1, (art["clip_id"], source)


def test_the_batch_report_and_the_web_gallery_list_best_first_with_covers(job) -> None:
    from clipora_core.batch_report import recording_entry
    from clipora_core.workspace import JobWorkspace
    from clipora_web import jobstate

    root: Path = job["job"]
    entry = recording_entry(Path("two products.mp4"), "done", JobWorkspace.open(root), root.parent)
    scores = [c.score for c in entry.clips]
    assert scores == sorted(scores, reverse=True) and None not in scores
    assert all(
        c.cover.endswith("-cover.jpg") and (root.parent / c.cover).is_file() for c in entry.clips
    )
    assert set(entry.clips[0].score_parts) >= {"hook", "length_fit"}

    snap = jobstate.snapshot(root)
    assert snap is not None
    views = snap.outputs
    assert [v.score for v in views] == sorted(scores, reverse=True)
    plan_order = [
        a["clip_id"] for a in _read(root / "renders" / "execution_result.json")["artifacts"]
    ]
    # Each clip keeps its plan index (its URLs); only the order shown changes.
    assert all(plan_order[v.index] == v.clip_id for v in views)
    assert all(v.cover_url == f"/api/jobs/{root.name}/outputs/{v.index}/cover" for v in views)


def test_overlay_title_remakes_the_covers_not_the_clips(job) -> None:
    root: Path = job["job"]
    before = _read(root / "renders" / "execution_result.json")["artifacts"]
    plain = {a["clip_id"]: _image(Path(a["cover_path"])) for a in before}
    clips = {a["clip_id"]: Path(a["output_path"]).stat().st_mtime_ns for a in before}

    _clipora(job["home"], "render", root, "--set", "render.cover.overlay_title=true")
    after = _read(root / "renders" / "execution_result.json")["artifacts"]
    for art in after:
        assert Path(art["output_path"]).stat().st_mtime_ns == clips[art["clip_id"]], "clip reused"
        titled = _image(Path(art["cover_path"]))
        assert titled.shape == plain[art["clip_id"]].shape
        changed = np.abs(titled.astype(int) - plain[art["clip_id"]].astype(int)).max(axis=2) > 40
        # The title sits in the bottom part of the picture, and only there.
        h = titled.shape[0]
        assert changed[h // 2 :].mean() > 0.02, art["clip_id"]
        assert changed[: h // 3].mean() < 0.01, art["clip_id"]

    # Covers off: none is written and the old ones are gone.
    _clipora(job["home"], "render", root, "--set", "render.cover.enabled=false")
    final = _read(root / "renders" / "execution_result.json")["artifacts"]
    assert all(a["cover_path"] is None for a in final)
    assert not list((root / "renders").glob("*-cover.jpg"))
