"""Tests of the example plugin, written with the fixtures of ``clipora_core.testing``.

Run them in an environment where the plugin is installed (``uv pip install -e . pytest``,
then ``pytest tests``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("clipora_example_videotype")

from clipora_core.capabilities import AnalyzerContext, Kind  # noqa: E402
from clipora_core.contracts import MediaProbe, Transcript, TranscriptSegment  # noqa: E402
from clipora_core.progress import StageProgress  # noqa: E402


def test_registered_through_its_entry_point(clipora_host) -> None:
    cap = clipora_host.get(Kind.VIDEO_TYPE, "even_chunks")
    assert cap.distribution == "clipora-example-videotype"
    assert cap.plugin == "even_chunks"


def test_config_section(cli_run, clipora_config) -> None:
    cfg = clipora_config(**{"analysis.even_chunks.chunk_seconds": 30})
    res = cli_run("config", "show", "--json", "--config", cfg)
    assert res.exit_code == 0, res.stderr
    rows = {r["key"]: r["value"] for r in json.loads(res.stdout)["values"]}
    assert rows["analysis.even_chunks.chunk_seconds"] == 30
    assert rows["analysis.even_chunks.max_clip_seconds"] == 45
    bad = cli_run("config", "show", "--config", cfg, "--set", "analysis.even_chunks.chunk_secs=5")
    assert bad.exit_code == 2 and "analysis.even_chunks.chunk_seconds" in bad.stderr


def _context(make_job, tmp_path: Path, settings, texts: list[tuple[float, float, str]]):
    video = tmp_path / "talk.mp4"
    video.write_bytes(b"not decoded by these tests")
    transcript = Transcript(
        segments=[
            TranscriptSegment(id=f"s{i}", start_seconds=a, end_seconds=b, text=t)
            for i, (a, b, t) in enumerate(texts, 1)
        ]
    )
    return AnalyzerContext(
        job=make_job(video),
        analysis=settings.analysis,
        progress=StageProgress(None, "test"),
        transcript=transcript,
        probe=MediaProbe(duration_seconds=texts[-1][1], has_video=True, has_audio=True),
    )


def test_chunks_items_and_clips(clipora_host, clipora_config, make_job, tmp_path: Path) -> None:
    from clipora_core.config import load_config

    cfg = clipora_config(
        **{"analysis.even_chunks.chunk_seconds": 60, "analysis.even_chunks.max_clip_seconds": 25}
    )
    settings = load_config(cfg, environ={}).settings
    analyzer = clipora_host.create(Kind.VIDEO_TYPE, "even_chunks", settings)
    ctx = _context(
        make_job,
        tmp_path,
        settings,
        [
            (0, 10, "one"),
            (10, 20, "two"),
            (20, 30, "three"),  # chunk 1
            (65, 75, "four"),
            (75, 90, ""),  # chunk 2 (silence is ignored)
            (130, 140, "five"),  # chunk 3
        ],
    )
    intervals = analyzer.discover(ctx).intervals
    assert [(i.start_segment_number, i.end_segment_number) for i in intervals] == [
        (1, 3),
        (4, 4),
        (6, 6),
    ]
    items = analyzer.cluster(ctx, intervals).items
    assert [(w.start_seconds, w.end_seconds) for i in items for w in i.windows] == [
        (0, 30),
        (65, 75),
        (130, 140),
    ]
    clips = analyzer.analyze_item(ctx, items[0])
    # Whole segments only, at most max_clip_seconds: "three" would make it 30 s.
    assert [(w.start_seconds, w.end_seconds) for w in clips[0].windows] == [(0, 20)]
    assert clips[0].summary == "one two"
