"""`clipora export`: a job's clips as editor timelines through OpenTimelineIO, read back with
OTIO's own readers and checked against the plan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import opentimelineio as otio
import pytest
from batch_support import PRODUCTS, User, make_recording

FORMATS = {"otio": ("otio_json", ".otio"), "fcpxml": ("fcpx_xml", ".fcpxml"),
           "xmeml": ("fcp_xml", ".xml"), "edl": ("cmx_3600", ".edl")}  # fmt: skip


@pytest.fixture(scope="module")
def job(tmp_path_factory: pytest.TempPathFactory) -> tuple[User, Path]:
    d = tmp_path_factory.mktemp("export")
    video = make_recording(d / "live.mp4", PRODUCTS[0:2], size="320x240", rate=25)
    user = User(d / "seller")
    res = user.run("run", video)
    assert res.rc == 0, res.describe()
    return user, Path(res.out.strip().splitlines()[-1])


def _fcpx_seconds(value: str) -> float:
    from fractions import Fraction

    return float(Fraction(value.removesuffix("s") or "0"))


def _fcpxml_cuts(path: Path) -> list[tuple[float, float]]:
    """(start, end) of each clip in the FCPXML spine, read from the file itself: OTIO's FCPXML
    reader gives clips that another follows one frame less than the file says."""
    import xml.etree.ElementTree as ET

    spine = ET.parse(path).getroot().find("./project/sequence/spine")
    assert spine is not None
    out = []
    for clip in spine.findall("clip"):
        start = _fcpx_seconds(clip.get("start", "0s"))
        out.append((start, start + _fcpx_seconds(clip.get("duration", "0s"))))
    return out


def _timeline(path: Path, adapter: str) -> Any:
    extra = {"rate": 25} if adapter == "cmx_3600" else {}
    got = otio.adapters.read_from_file(str(path), adapter_name=adapter, **extra)
    if isinstance(got, otio.schema.Timeline):
        return got
    (tl,) = list(got.find_children(descended_from_type=otio.schema.Timeline))
    return tl


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_each_clip_becomes_a_timeline_of_its_cuts_of_the_recording(job, fmt) -> None:
    user, root = job
    res = user.run("export", root, "--format", fmt)
    assert res.rc == 0, res.describe()
    files = [Path(line) for line in res.out.split() if line.strip()]
    plan = json.loads((root / "analysis" / "edit_plan.json").read_text())
    segments = plan["segments"]
    assert len(files) == len(segments) >= 4
    adapter, suffix = FORMATS[fmt]
    for seg, path in zip(segments, files, strict=True):
        assert path.suffix == suffix and path.parent == root / "exports" / fmt
        assert path.name == f"{seg['variant']}-{seg['id']}{suffix}"
        tl = _timeline(path, adapter)
        video = [t for t in tl.tracks if t.kind == otio.schema.TrackKind.Video]
        assert len(video) == 1
        clips = list(video[0].find_clips())
        windows = seg["original_windows"] or seg["windows"]
        assert len(clips) == len(windows)
        cuts = [
            (
                c.source_range.start_time.to_seconds(),
                c.source_range.end_time_exclusive().to_seconds(),
            )
            for c in clips
        ]
        if fmt == "fcpxml":
            cuts = _fcpxml_cuts(path)
        for (start, end), w in zip(cuts, windows, strict=True):
            # Each edge on the nearest frame (25 fps).
            assert start == pytest.approx(w["start_seconds"], abs=0.021)
            assert end == pytest.approx(w["end_seconds"], abs=0.041)
        for clip in clips:
            assert clip.media_reference.target_url.endswith("/live.mp4")
        total = sum(w["end_seconds"] - w["start_seconds"] for w in windows)
        assert sum(b - a for a, b in cuts) == pytest.approx(total, abs=0.04 * len(windows))
        if fmt != "edl":  # an EDL holds the video cuts only
            audio = [t for t in tl.tracks if t.kind == otio.schema.TrackKind.Audio]
            assert len(audio) == 1 and len(list(audio[0].find_clips())) == len(windows)


def test_export_errors_are_one_line(job, tmp_path) -> None:
    user, root = job
    res = user.run("export", root, "--format", "nope")
    assert res.rc == 2 and "exporter 'nope' is not installed" in res.err
    assert "available: edl, fcpxml, otio, xmeml" in res.err and "Traceback" not in res.err
    # A job that has not been analyzed yet.
    video = make_recording(tmp_path / "short.mp4", PRODUCTS[2:3], size="160x120", rate=10)
    res = user.run("inspect", video)
    assert res.rc == 0, res.describe()
    res = user.run("export", Path(res.out.strip().splitlines()[-1]), "--format", "otio")
    assert res.rc == 1 and "no edit plan to export yet" in res.err and "clipora analyze" in res.err
