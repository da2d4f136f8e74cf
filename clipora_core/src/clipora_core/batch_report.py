"""The batch report: ``batch-report.json`` (the contract) and ``batch-report.html`` (for people),
written into the workdir at the end of every ``clipora batch`` and when it is interrupted.

Each recording is read back from its job folder (manifest, execution result, product list,
thumbnails), so the report shows what is on disk, also for recordings finished by an earlier
run. Links are relative to the workdir: the report folder can be copied or served as it is.
"""

from __future__ import annotations

import html
import os
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from clipora_core.contracts import Document, ExecutionResult, Model, utc_now
from clipora_core.fileio import atomic_write_text
from clipora_core.ranking import best_first
from clipora_core.thumbnails import thumbnail_path
from clipora_core.workspace import STAGES, JobWorkspace

REPORT_JSON = "batch-report.json"
REPORT_HTML = "batch-report.html"

Outcome = Literal["done", "skipped", "failed", "interrupted", "pending"]


class ClipEntry(Model):
    clip_id: str
    title: str = ""
    variant: str = ""
    item: str = ""
    duration_seconds: float | None = None
    path: str = ""
    subtitled_path: str = ""
    subtitles: dict[str, str] = Field(default_factory=dict)
    thumbnail: str = ""
    ok: bool = True
    error: str = ""
    # The clip's score (0-100) and its parts (0-1 each), when its video type scores clips.
    score: float | None = None
    score_parts: dict[str, float] = Field(default_factory=dict)
    cover: str = ""


class RecordingEntry(Model):
    video: str
    outcome: Outcome
    job_dir: str = ""
    error: str = ""
    duration_seconds: float | None = None
    products: list[str] = Field(default_factory=list)
    products_source: str = ""
    items: int | None = None
    clips: list[ClipEntry] = Field(default_factory=list)
    stage_seconds: dict[str, float] = Field(default_factory=dict)
    wall_seconds: float | None = None
    cpu_seconds: float | None = None
    host: str = ""
    attempts: int | None = None


class BatchReport(Document):
    created_at: str = Field(default_factory=utc_now)
    workdir: str
    executor: str
    wall_seconds: float = 0.0
    counts: dict[str, int] = Field(default_factory=dict)
    recordings: list[RecordingEntry] = Field(default_factory=list)


def _seconds(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    try:
        return round(
            (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds(), 2
        )
    except ValueError:
        return None


def _rel(path: str | Path, workdir: Path) -> str:
    if not path:
        return ""
    try:
        return os.path.relpath(Path(path), workdir)
    except ValueError:  # another drive
        return str(path)


def recording_entry(
    video: Path, outcome: Outcome, job: JobWorkspace | None, workdir: Path, **extra: Any
) -> RecordingEntry:
    """What one recording's job holds, for the report."""
    entry = RecordingEntry(video=str(video), outcome=outcome, **extra)
    if job is None:
        return entry
    m = job.manifest
    entry.job_dir = _rel(job.root, workdir)
    if m.probe is not None:
        entry.duration_seconds = round(m.probe.duration_seconds, 2)
    if not entry.error:
        failed = [
            f"{n}: {s.error or s.detail}" for n, s in m.stages.items() if s.status == "failed"
        ]
        entry.error = failed[0] if failed else ""
    for name in STAGES:
        secs = _seconds(m.stages[name].started_at, m.stages[name].finished_at)
        if secs is not None and m.stages[name].status == "completed":
            entry.stage_seconds[name] = secs
    entry.items = m.summary.get("items")
    try:
        products = job.products()
    except Exception:  # noqa: BLE001 - a damaged list must not break the report
        products = None
    if products is not None:
        entry.products = [p.name for p in products.products]
        entry.products_source = products.source
    result_path = job.path("renders/execution_result.json")
    if m.stages["render"].status == "completed" and result_path.is_file():
        result = ExecutionResult.model_validate(job.read_json("renders/execution_result.json"))
        # Best first, as the CLI lists them: the clip to post first leads.
        for art in best_first(result.artifacts):
            thumb = thumbnail_path(job, art.clip_id)
            cover = Path(art.cover_path) if art.cover_path else None
            entry.clips.append(
                ClipEntry(
                    clip_id=art.clip_id,
                    title=str(art.metadata.get("title") or ""),
                    variant=str(art.metadata.get("variant") or ""),
                    item=str(art.metadata.get("semantic_item_id") or ""),
                    duration_seconds=art.duration_seconds,
                    path=_rel(art.output_path, workdir) if art.success else "",
                    subtitled_path=_rel(art.burned_output_path or "", workdir),
                    subtitles={k: _rel(v, workdir) for k, v in art.subtitle_paths.items()},
                    thumbnail=_rel(thumb, workdir) if thumb.is_file() else "",
                    ok=art.success,
                    error=art.error_detail,
                    score=art.score.total if art.score else None,
                    score_parts={k: p.value for k, p in art.score.parts.items()}
                    if art.score
                    else {},
                    cover=_rel(cover, workdir) if cover and cover.is_file() else "",
                )
            )
    return entry


def write_report(report: BatchReport, workdir: Path) -> tuple[Path, Path]:
    report.counts = {
        k: sum(1 for r in report.recordings if r.outcome == k)
        for k in ("done", "skipped", "failed", "interrupted", "pending")
    }
    report.counts["clips"] = sum(sum(1 for c in r.clips if c.ok) for r in report.recordings)
    json_path = workdir / REPORT_JSON
    atomic_write_text(json_path, report.model_dump_json(indent=1))
    html_path = workdir / REPORT_HTML
    atomic_write_text(html_path, render_html(report))
    return json_path, html_path


def _fmt_seconds(value: float | None) -> str:
    if value is None:
        return ""
    value = float(value)
    if value < 60:
        return f"{value:.1f} s"
    minutes, seconds = divmod(int(round(value)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


_OUTCOME_WORDS = {
    "done": "done 完成",
    "skipped": "finished earlier 之前已完成",
    "failed": "failed 失败",
    "interrupted": "interrupted 已中断",
    "pending": "not started 未开始",
}


def _clip_html(c: ClipEntry) -> str:
    e = html.escape
    image = c.thumbnail or c.cover
    thumb = (
        f'<a href="{e(c.path)}"><img src="{e(image)}" alt="{e(c.title)}" loading="lazy"></a>'
        if image
        else '<div class="noimg"></div>'
    )
    title = e(c.title or c.clip_id) + (f" · {e(c.variant)}" if c.variant else "")
    if c.score is not None:
        parts = ", ".join(f"{k} {v:.2f}" for k, v in c.score_parts.items())
        title += f' <span class="score" title="{e(parts)}">{c.score:.0f}</span>'
    if c.ok:
        links = [f'<a href="{e(c.path)}">mp4</a>']
        if c.cover:
            links.append(f'<a href="{e(c.cover)}">cover 封面</a>')
        if c.subtitled_path:
            links.append(f'<a href="{e(c.subtitled_path)}">subtitled 带字幕</a>')
        links += [f'<a href="{e(p)}">{e(fmt)}</a>' for fmt, p in c.subtitles.items()]
        body = f"<div>{_fmt_seconds(c.duration_seconds)} · {' '.join(links)}</div>"
    else:
        body = f'<div class="error">{e(c.error)}</div>'
    return f'<div class="clip">{thumb}<div class="title">{title}</div>{body}</div>'


def _recording_html(n: int, rec: RecordingEntry) -> str:
    e = html.escape
    facts = []
    if rec.duration_seconds is not None:
        facts.append(f"length 时长 {_fmt_seconds(rec.duration_seconds)}")
    if rec.items is not None:
        facts.append(f"products found 识别商品 {rec.items}")
    if rec.products:
        facts.append(f"product list 商品清单 {len(rec.products)} ({e(rec.products_source)})")
    if rec.wall_seconds is not None:
        facts.append(f"took 用时 {_fmt_seconds(rec.wall_seconds)}")
    if rec.cpu_seconds is not None:
        facts.append(f"CPU {_fmt_seconds(rec.cpu_seconds)}")
    if rec.host:
        facts.append(f"on 节点 {e(rec.host)}")
    if rec.job_dir:
        facts.append(f'job 任务 <a href="{e(rec.job_dir)}/">{e(rec.job_dir)}</a>')
    parts = [
        f'<div class="rec" id="rec-{n}"><h2>{e(Path(rec.video).name)} '
        f'<span class="badge {rec.outcome}">{_OUTCOME_WORDS[rec.outcome]}</span></h2>',
        '<div class="facts">' + "".join(f"<span>{f}</span>" for f in facts) + "</div>",
    ]
    if rec.error:
        parts.append(f'<div class="error">{e(rec.error)}</div>')
    if rec.stage_seconds:
        names = [s for s in STAGES if s in rec.stage_seconds]
        parts.append(
            '<table class="stages"><tr>'
            + "".join(f"<th>{s}</th>" for s in names)
            + "</tr><tr>"
            + "".join(f"<td>{_fmt_seconds(rec.stage_seconds[s])}</td>" for s in names)
            + "</tr></table>"
        )
    if rec.clips:
        parts.append('<div class="clips">' + "".join(_clip_html(c) for c in rec.clips) + "</div>")
    return "".join(parts) + "</div>"


def render_html(report: BatchReport) -> str:
    """One self-contained page (no script, no external file besides the clips it links)."""
    c = report.counts
    counts = [
        ("Recordings 录像", len(report.recordings)),
        ("Done 完成", c.get("done", 0)),
        ("Finished earlier 之前已完成", c.get("skipped", 0)),
        ("Failed 失败", c.get("failed", 0)),
        ("Not finished 未完成", c.get("interrupted", 0) + c.get("pending", 0)),
        ("Clips 片段", c.get("clips", 0)),
    ]
    head = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Clipora batch report · 批量处理报告</title><style>{_CSS}</style></head><body>"
        "<h1>Clipora batch report · 批量处理报告</h1>"
        f'<div class="meta">{html.escape(report.created_at[:19].replace("T", " "))} UTC · '
        f"{html.escape(report.executor)} · {_fmt_seconds(report.wall_seconds)}</div>"
        '<div class="counts">'
        + "".join(f"<span>{k}: <b>{v}</b></span>" for k, v in counts)
        + "</div>"
    )
    body = "".join(_recording_html(n, r) for n, r in enumerate(report.recordings, start=1))
    return head + body + "</body></html>\n"


_CSS = """
body { font: 14px/1.45 system-ui, "Noto Sans SC", "PingFang SC", sans-serif; margin: 24px;
  color: #1d1d1f; background: #fafafa; }
h1 { font-size: 20px; margin: 0 0 4px; } .meta { color: #666; margin-bottom: 16px; }
.counts span, .facts span { display: inline-block; margin-right: 14px; }
.rec { background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 12px 16px;
  margin: 12px 0; }
.rec h2 { font-size: 16px; margin: 0 0 6px; word-break: break-all; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px;
  margin-left: 6px; vertical-align: middle; }
.done { background: #e3f5e6; color: #1e6b2c; } .skipped { background: #e8eefb; color: #2a4a8c; }
.failed { background: #fde8e8; color: #9b1c1c; }
.interrupted, .pending { background: #fff4d6; color: #7a5a00; }
.error { color: #9b1c1c; margin: 6px 0; } .facts { color: #444; margin: 4px 0 8px; }
.clips { display: flex; flex-wrap: wrap; gap: 12px; } .clip { width: 220px; }
.clip img { width: 220px; border-radius: 4px; background: #222; display: block; }
.clip .noimg { width: 220px; height: 124px; background: #eee; border-radius: 4px; }
.clip .title { font-weight: 600; margin-top: 4px; } .clip a { margin-right: 8px; }
.score { display: inline-block; padding: 0 6px; border-radius: 8px; background: #1d1d1f;
  color: #fff; font-size: 12px; margin-left: 4px; }
table.stages { border-collapse: collapse; font-size: 12px; margin: 6px 0; }
table.stages td, table.stages th { border: 1px solid #e2e2e2; padding: 2px 6px; text-align: right; }
"""
