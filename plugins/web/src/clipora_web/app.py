"""The FastAPI application behind ``clipora web``: server-rendered pages plus a JSON API.

``create_app(config_path, ...)`` fixes the config file and the workdir at start; clients never
name a path to read or write (except a video file on the server, which must lie inside one of
the ``media_dirs``). Jobs run through ``JobRunner`` (one ``clipora run`` process per job); every
page and API answer is read back from the job folders, so a restarted server shows the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from clipora_core.api import (
    STAGES,
    CliporaError,
    ConfigError,
    InputError,
    JobWorkspace,
    Kind,
    Media,
    ProductList,
    best_first,
    clip_thumbnail,
    default_config_path,
    field_at,
    load_products,
    recording_entry,
)
from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from clipora_web import jobstate, review_routes
from clipora_web.batches import (
    BatchClip,
    BatchJob,
    BatchSnapshot,
    WebBatch,
    job_progress,
    new_batch_id,
    read_batch,
    write_batch,
)
from clipora_web.bundle import attachment_header, bundle_members, stream_zip
from clipora_web.config_editor import (
    ConfigInvalid,
    ConfigState,
    ConfigUpdate,
    _literal_options,
    editor_state,
    list_line,
    load_effective,
    save_config,
)
from clipora_web.config_page import build_page
from clipora_web.i18n import (
    DEFAULT_LANG,
    LANG_COOKIE,
    detail_label,
    install_i18n,
    js_strings,
    normalize_lang,
    request_language,
    translate,
)
from clipora_web.limits import BodyLimit, BodyTooLarge, strip_paths
from clipora_web.runner import JobRunner
from clipora_web.security import Guard, is_loopback
from clipora_web.submission import (
    OVERRIDE_KEYS,
    WebSubmission,
    read_submission,
    write_submission,
)
from clipora_web.uploads import (
    PRODUCTS_FIELD,
    PRODUCTS_TEXT_FIELD,
    TRANSCRIPT_FIELD,
    VIDEO_FIELD,
    ParsedForm,
    UploadTooLarge,
    parse_job_form,
    place_batch_transcripts,
    place_transcript,
)

HERE = Path(__file__).parent
JOB_ID = r"^[0-9a-f]{12}$"
JobId = Annotated[str, PathParam(pattern=JOB_ID, description="12 hex digits")]
BatchId = Annotated[str, PathParam(pattern=r"^b[0-9a-f]{11}$", description="b + 11 hex digits")]
DEFAULT_MAX_UPLOAD_MB = 4096
# Shapes whose crop should follow the host and the product unless the form says otherwise.
RESHAPED_ASPECTS = ("9:16", "1:1", "4:5")
OVERRIDE_LABELS = {
    "cleaning.enabled": "Remove frozen video first (cleaning)",
    "asr.mode": "Speech recognition (ASR mode)",
    "analysis.video_type": "Video type",
    "render_subtitles.mode": "Subtitles",
    "render_subtitles.position_preset": "Subtitle position",
    "render_subtitles.font_theme": "Subtitle font theme",
    "review.enabled": "Review clips before rendering",
}


class ErrorBody(BaseModel):
    code: str
    detail: str


class ConfigErrorBody(ErrorBody):
    fields: dict[str, str] = Field(
        default_factory=dict, description="dotted config key -> why its value was refused"
    )


class JobList(BaseModel):
    items: list[jobstate.JobSummary]


class LogLines(BaseModel):
    lines: list[str]


class RerunRequest(BaseModel):
    from_stage: Literal[STAGES] | None = Field(  # type: ignore[valid-type]
        None, description="rerun this stage and every later one; null continues where it stopped"
    )


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody},
    404: {"model": ErrorBody},
    409: {"model": ErrorBody},
    413: {"model": ErrorBody},
}
CONFIG_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    422: {"model": ConfigErrorBody, "description": "a value the settings model refuses"},
}


@dataclass
class WebContext:
    config_path: Path
    workdir: Path
    runner: JobRunner
    media_dirs: list[Path]
    max_upload_bytes: int
    host: Any
    templates: Jinja2Templates
    token_required: bool = False
    override_options: dict[str, list[str]] = field(default_factory=dict)

    # --- jobs ---------------------------------------------------------------------------------

    def root(self, job_id: str) -> Path:
        root = jobstate.job_root(self.workdir, job_id)
        if root is None:
            raise ApiError(404, "unknown_job", f"no job {job_id}")
        return root

    def snapshot(
        self, job_id: str, log_lines: int = 50, lang: str = DEFAULT_LANG
    ) -> jobstate.JobSnapshot:
        root = self.root(job_id)
        snap = jobstate.snapshot(
            root,
            active=self.runner.state(job_id),
            queue_position=self.runner.queue_position(job_id),
            log_lines=log_lines,
        )
        if snap is None:
            raise ApiError(404, "unknown_job", f"job {job_id} has a damaged manifest")
        snap.error = strip_paths(snap.error) or None
        for stage in snap.stages:
            stage.error = strip_paths(stage.error) or None
            stage.detail = strip_paths(stage.detail)
            stage.detail_text = detail_label(lang, stage.name, stage.detail)
        return snap

    def summaries(self) -> list[jobstate.JobSummary]:
        items = []
        for root in jobstate.list_job_roots(self.workdir):
            s = jobstate.summary(root, active=self.runner.state(root.name))
            if s is not None:
                s.error = strip_paths(s.error) or None
                items.append(s)
        return sorted(items, key=lambda s: s.created_at, reverse=True)

    def output(self, job_id: str, index: int) -> dict[str, Any]:
        root = self.root(job_id)
        manifest = jobstate.read_manifest(root)
        entries = jobstate.read_outputs(root, manifest) if manifest else []
        if index >= len(entries) or not entries[index]["success"]:
            raise ApiError(404, "no_output", f"job {job_id} has no clip #{index}")
        return entries[index]

    # --- submitting ---------------------------------------------------------------------------

    def settings(self) -> Any:
        return load_effective(self.config_path, self.host.config_sections()).settings

    def overrides_from(self, fields: dict[str, str]) -> dict[str, str]:
        unknown = set(fields) - set(OVERRIDE_KEYS) - {"server_path", PRODUCTS_TEXT_FIELD}
        if unknown:
            raise InputError(
                f"unknown form field {sorted(unknown)[0]!r}",
                hint="fields: video, transcript, server_path, products, products_text, "
                + ", ".join(OVERRIDE_KEYS),
            )
        out: dict[str, str] = {}
        for key in OVERRIDE_KEYS:
            value = (fields.get(key) or "").strip()
            if key in ("cleaning.enabled", "review.enabled") and value == "on":
                value = "true"
            if not value:
                continue
            options = self.override_options.get(key, [])
            if value not in options:
                raise InputError(
                    f"{key}={value!r} is not available", hint=f"choose one of: {', '.join(options)}"
                )
            out[key] = value
        if out.get("render.ffmpeg.aspect") in RESHAPED_ASPECTS:
            out.setdefault("render.ffmpeg.fit", "subject")
        return out

    def server_video(self, raw: str) -> Path:
        candidate = Path(raw).expanduser()
        if not candidate.is_absolute():
            candidate = self.media_dirs[0] / candidate if self.media_dirs else candidate
        try:
            path = candidate.resolve()
        except (OSError, RuntimeError):
            raise InputError(f"cannot resolve {raw}") from None
        if not any(path.is_relative_to(d) for d in self.media_dirs):
            raise InputError(
                f"{path.name} is outside the folders this server may read",
                hint="the start page lists them; start clipora web with --media-dir FOLDER "
                "to allow another folder",
            )
        if not path.is_file():
            raise InputError(f"video not found on the server: {path.name}")
        return path

    def products_from(self, form: ParsedForm) -> ProductList | None:
        """The form's product list (a file or the text box), parsed as the CLI parses
        ``--products``; None when neither is given."""
        text = form.fields.get(PRODUCTS_TEXT_FIELD) or ""
        saved = form.files.pop(PRODUCTS_FIELD, None)
        if saved is None:
            if not text.strip():
                return None
            with tempfile.TemporaryDirectory(prefix="clipora-products-") as tmp:
                path = Path(tmp) / "products.txt"
                path.write_text(text, encoding="utf-8")
                return load_products(path, name="product list text")
        try:
            if text.strip():
                raise InputError(
                    "give the product list as a file or in the text box, not both",
                    hint="clear one of them",
                )
            return load_products(saved, name=form.names.get(PRODUCTS_FIELD))
        finally:
            saved.unlink(missing_ok=True)

    def probe_video(self, path: Path) -> None:
        settings = self.settings()
        prober = self.host.create(
            Kind.PROBER, settings.inspect.prober, settings, config_key="inspect.prober"
        )
        try:
            probe = prober.probe(path)
        except CliporaError:
            raise
        except Exception as exc:  # noqa: BLE001 - anything the prober chokes on is bad input
            raise InputError(
                f"{path.name} could not be read as a video ({type(exc).__name__})"
            ) from None
        if not probe.has_video:
            raise InputError(f"{path.name} has no video stream", hint="upload a video file")

    async def submit(
        self, request: Request, typed: dict[str, str] | None = None
    ) -> jobstate.JobSnapshot:
        """One recording: a job. ``typed`` receives the form's text fields, so a page can show
        them again with an error (a product list typed into the box must not be lost to one
        bad line)."""
        _, ident = await self.submit_any(request, typed, batch=False)
        return self.snapshot(ident)

    async def submit_any(
        self, request: Request, typed: dict[str, str] | None = None, batch: bool | None = None
    ) -> tuple[str, str]:
        """("job", id) for one video, ("batch", id) for several (or any when ``batch``)."""
        form = await parse_job_form(request, self.workdir / "_uploads", self.max_upload_bytes)
        if typed is not None:
            typed.update(
                {k: v for k, v in form.fields.items() if k in ("server_path", PRODUCTS_TEXT_FIELD)}
            )
        videos = form.multi.get(VIDEO_FIELD, [])
        try:
            if batch is False and len(videos) > 1:
                raise InputError(
                    f"{len(videos)} videos in one request",
                    hint="send several as a batch: POST /api/batches",
                )
            if batch or len(videos) > 1:
                return "batch", await run_in_threadpool(self._create_batch, form, videos)
            return "job", await run_in_threadpool(self._create_job, form)
        except BaseException:
            form.discard()
            raise

    def _create_batch(self, form: ParsedForm, videos: list[Path]) -> str:
        overrides = self.overrides_from(form.fields)
        products = self.products_from(form)
        if (form.fields.get("server_path") or "").strip():
            raise InputError("choose uploaded videos or a file on the server, not both")
        if not videos:
            raise InputError("choose the videos to upload (several at once make a batch)")
        with_transcript = place_batch_transcripts(form, videos)
        for video in videos:  # every file is checked before any job is made
            self.probe_video(video)
        batch = WebBatch(batch_id=new_batch_id(), names=[v.name for v in videos])
        for video in videos:
            job = JobWorkspace.create(self.workdir, video)
            if products is not None:
                job.store_products(products)
            own = dict(overrides)
            if video in with_transcript:
                own.setdefault("asr.mode", "import")
            write_submission(
                job.root,
                WebSubmission(
                    job_id=job.job_id,
                    source_name=video.name,
                    uploaded=True,
                    overrides=own,
                    products=products is not None,
                    batch_id=batch.batch_id,
                ),
            )
            batch.job_ids.append(job.job_id)
        write_batch(self.workdir, batch)
        for job_id in batch.job_ids:
            self.runner.enqueue(job_id)
        return batch.batch_id

    def batch_snapshot(self, batch_id: str) -> BatchSnapshot:
        batch = read_batch(self.workdir, batch_id)
        if batch is None:
            raise ApiError(404, "unknown_batch", f"no batch {batch_id}")
        outcome = {"completed": "done", "failed": "failed", "queued": "pending",
                   "running": "pending", "stopping": "pending"}  # fmt: skip
        jobs, report = [], []
        for job_id in batch.job_ids:
            root = jobstate.job_root(self.workdir, job_id)
            summary = jobstate.summary(root, active=self.runner.state(job_id)) if root else None
            if root is None or summary is None:
                continue  # deleted since
            manifest = jobstate.read_manifest(root)
            clips = []
            if summary.status == "completed" and manifest is not None:
                for i, entry in enumerate(jobstate.read_outputs(root, manifest)):
                    if entry["success"]:
                        url = f"/api/jobs/{job_id}/outputs/{i}"
                        clips.append(
                            BatchClip(
                                title=entry["title"] or entry["clip_id"],
                                duration_seconds=entry["duration_seconds"],
                                url=url,
                                thumbnail_url=f"{url}/thumbnail",
                                score=entry["score"],
                                cover_url=f"{url}/cover" if entry["cover"] else None,
                            )
                        )
                clips = best_first(clips, lambda c: c.score)
            jobs.append(
                BatchJob(
                    job_id=job_id,
                    source_name=summary.source_name,
                    status=summary.status,
                    current_stage=summary.current_stage,
                    error=summary.error,
                    progress=round(job_progress(manifest, summary.status), 3),
                    clips=clips,
                )
            )
            entry = recording_entry(
                Path(summary.source_name),
                outcome.get(summary.status, "interrupted"),
                JobWorkspace.open(root),
                self.workdir,
            )
            # The report names the file as the user uploaded it, never the server's path.
            report.append(entry.model_dump(mode="json") | {"video": summary.source_name})
        counts: dict[str, int] = {}
        for j in jobs:
            counts[j.status] = counts.get(j.status, 0) + 1
        return BatchSnapshot(
            batch_id=batch.batch_id,
            created_at=batch.created_at,
            active=any(j.status in jobstate.ACTIVE for j in jobs),
            progress=round(sum(j.progress for j in jobs) / len(jobs), 3) if jobs else 0.0,
            counts=counts,
            jobs=jobs,
            report=report,
        )

    def thumbnail(self, job_id: str, index: int) -> Path:
        """Clip #index's thumbnail, made on first request (as `clipora batch` makes them)."""
        entry = self.output(job_id, index)
        job = JobWorkspace.open(self.root(job_id))
        path = clip_thumbnail(
            job,
            entry["clip_id"],
            Path(entry["path"]),
            entry["duration_seconds"],
            Media.from_settings(self.settings()),
            entry["cover"],
        )
        if path is None:
            raise ApiError(404, "no_output", f"clip #{index} has no thumbnail")
        return path

    def cover(self, job_id: str, index: int) -> Path:
        """Clip #index's cover image, as the render made it."""
        path = self.output(job_id, index)["cover"]
        if path is None:
            raise ApiError(404, "no_output", f"clip #{index} has no cover")
        return Path(path)

    def _create_job(self, form: ParsedForm) -> str:
        overrides = self.overrides_from(form.fields)
        products = self.products_from(form)
        server_path = (form.fields.get("server_path") or "").strip()
        video = form.files.get(VIDEO_FIELD)
        if video is not None and server_path:
            raise InputError("choose either an uploaded video or a file on the server, not both")
        if video is None and not server_path:
            raise InputError("choose a video to upload or name a video file on the server")
        if video is None:
            if TRANSCRIPT_FIELD in form.files:
                raise InputError(
                    "a transcript can only be uploaded together with a video",
                    hint="for a file on the server, put <video name>.srt next to it",
                )
            video = self.server_video(server_path)
        elif place_transcript(form, video) is not None:
            overrides.setdefault("asr.mode", "import")
        self.probe_video(video)
        if VIDEO_FIELD not in form.files:
            form.discard()  # the folder only held the product list, read above
        job = JobWorkspace.create(self.workdir, video)
        if products is not None:
            job.store_products(products)
        write_submission(
            job.root,
            WebSubmission(
                job_id=job.job_id,
                source_name=video.name,
                uploaded=VIDEO_FIELD in form.files,
                overrides=overrides,
                products=products is not None,
            ),
        )
        self.runner.enqueue(job.job_id)
        return job.job_id

    def rerun(self, job_id: str, from_stage: str | None) -> jobstate.JobSnapshot:
        snap = self.snapshot(job_id)
        if snap.status in jobstate.ACTIVE:
            raise ApiError(409, "job_active", f"job {job_id} is {snap.status}; stop it first")
        if not snap.can_rerun:
            raise ApiError(409, "rerun_rejected", snap.rerun_disabled_reason or "cannot rerun")
        root = self.root(job_id)
        if read_submission(root) is None:  # a job started in a terminal: adopt it
            write_submission(
                root,
                WebSubmission(job_id=job_id, source_name=snap.source_name, state="idle"),
            )
        try:
            self.runner.enqueue(
                job_id, action="rerun" if from_stage else "resume", force=from_stage
            )
        except CliporaError as exc:
            raise ApiError(409, "job_active", exc.one_line()) from None
        return self.snapshot(job_id)

    def stop(self, job_id: str) -> jobstate.JobSnapshot:
        snap = self.snapshot(job_id)
        if snap.status == "running" and self.runner.state(job_id) is None:
            raise ApiError(
                409,
                "not_ours",
                f"job {job_id} is being run by another process (e.g. a terminal); stop it there",
            )
        if not self.runner.stop(job_id):
            raise ApiError(409, "not_active", f"job {job_id} is not queued or running")
        return self.snapshot(job_id)


def create_app(
    config_path: Path | None = None,
    *,
    bind_host: str = "127.0.0.1",
    token: str | None = None,
    allowed_hosts: set[str] | None = None,
    workers: int = 1,
    max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB,
    media_dirs: list[Path] | None = None,
    stop_grace_seconds: float = 10.0,
) -> FastAPI:
    """Build the app. Raises ``ConfigError`` when the config file is invalid (fail fast)."""
    from clipora_core.api import get_host

    host = get_host()
    config_path = Path(config_path or default_config_path()).expanduser().resolve()
    if not is_loopback(bind_host) and not token:
        raise ConfigError(
            f"binding to {bind_host} needs an access token",
            hint="pass --token (or set CLIPORA_WEB_TOKEN), or bind to 127.0.0.1",
        )
    loaded = load_effective(config_path, host.config_sections())
    workdir = Path(loaded.settings.paths.workdir).expanduser().resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    if allowed_hosts is None and is_loopback(bind_host):
        allowed_hosts = {"127.0.0.1", "localhost", "::1"}
    dirs = [Path(d).expanduser().resolve() for d in (media_dirs or [Path.cwd()])]
    runner = JobRunner(workdir, config_path, workers=workers, stop_grace_seconds=stop_grace_seconds)
    ctx = WebContext(
        config_path=config_path,
        workdir=workdir,
        runner=runner,
        media_dirs=[*dirs, workdir],
        max_upload_bytes=int(max_upload_mb * 1024 * 1024),
        host=host,
        templates=_templates(),
        token_required=bool(token),
    )
    model_sections = host.config_sections()
    from clipora_core.api import build_settings_model

    model = build_settings_model(model_sections)
    ctx.override_options = {
        "cleaning.enabled": ["true", "false"],
        "review.enabled": ["true", "false"],
        "asr.mode": [c.name for c in host.capabilities(Kind.ASR)],
        "analysis.video_type": [c.name for c in host.capabilities(Kind.VIDEO_TYPE)],
    }
    ctx.override_options["render_subtitles.layout.word_highlight"] = ["true", "false"]
    ctx.override_options["render.ffmpeg.aspect"] = ["source", "9:16", "1:1", "4:5", "16:9"]
    for key in (
        "render_subtitles.mode",
        "render_subtitles.position_preset",
        "render_subtitles.font_theme",
        "render.ffmpeg.fit",
    ):
        info = field_at(model, key)
        ctx.override_options[key] = _literal_options(info.annotation) if info else []

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runner.start()
        try:
            yield
        finally:
            await run_in_threadpool(runner.shutdown)

    app = FastAPI(
        title="Clipora",
        version=_version(),
        description="Turn long livestream recordings into short per-product clips.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.ctx = ctx
    app.add_middleware(BodyLimit)  # inside Guard: a refused body still gets its headers
    app.add_middleware(Guard, token=token, allowed_hosts=allowed_hosts)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    _error_handlers(app, ctx)
    _api_routes(app, ctx)
    review_routes.register(app, ctx, _page)
    _page_routes(app, ctx)
    return app


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["list_line"] = list_line
    templates.env.filters["nopath"] = strip_paths
    install_i18n(templates.env)
    return templates


def _error_handlers(app: FastAPI, ctx: WebContext) -> None:
    """Errors as a JSON body for the API and a page in the reader's language for a browser;
    neither names a server path nor shows a traceback."""
    from starlette.exceptions import HTTPException as StarletteHTTPException

    def answer(request: Request, status: int, code: str, detail: str) -> Response:
        detail = strip_paths(detail)
        if _wants_html(request):
            return _page(ctx, request, "error.html", {"status": status, "message": detail}, status)
        return JSONResponse({"code": code, "detail": detail}, status_code=status)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return answer(request, exc.status, exc.code, exc.detail)

    @app.exception_handler(CliporaError)
    async def _clipora_error(request: Request, exc: CliporaError) -> Response:
        status = 413 if isinstance(exc, UploadTooLarge) else 400
        code = "too_large" if status == 413 else "invalid_input"
        return answer(request, status, code, exc.one_line())

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        lang = request_language(request)
        if exc.status_code == 404:
            detail = translate(lang, "error.not_found")
            return answer(request, 404, "not_found", detail)
        if isinstance(exc, BodyTooLarge):
            detail = translate(lang, "error.too_large", kib=exc.limit // 1024)
            return answer(request, 413, "too_large", detail)
        return answer(request, exc.status_code, "http_error", str(exc.detail))

    @app.exception_handler(Exception)
    async def _internal_error(request: Request, exc: Exception) -> Response:
        import logging

        logging.getLogger("clipora.web").exception("unhandled error on %s", request.url.path)
        detail = translate(request_language(request), "error.internal")
        return answer(request, 500, "internal_error", detail)


def _form_value(key: str, value: Any) -> str:
    """A config value as the new-job form names it (an unset aspect is the source's)."""
    if value is None:
        return "source" if key == "render.ffmpeg.aspect" else ""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _version() -> str:
    from clipora_core.api import core_version as __version__

    return __version__


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


def _page(
    ctx: WebContext, request: Request, name: str, context: dict[str, Any], status: int = 200
) -> Response:
    lang = request_language(request)
    base = {
        "request": request,
        "token_required": ctx.token_required,
        "workdir": str(ctx.workdir),
        "lang": lang,
        "js_i18n": js_strings(lang, name),
    }
    return ctx.templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


def _file(path: Path, media_type: str, download: bool) -> FileResponse:
    return FileResponse(
        path,
        media_type=media_type,
        filename=path.name,
        content_disposition_type="attachment" if download else "inline",
        headers={"Cache-Control": "no-cache"},
    )


# --- JSON API ------------------------------------------------------------------------------------


def _multipart(**properties: Any) -> dict[str, Any]:
    """An OpenAPI request body of ``multipart/form-data`` with these fields, plus the product
    list and the per-job overrides every new-job form takes."""
    common = {
        "products": {
            "type": "string",
            "format": "binary",
            "description": "optional product list (.txt, .csv, .yaml, .yml, .json; up to 1 MiB)",
        },
        "products_text": {
            "type": "string",
            "description": "or the product list as text: one product a line, 'name | alias | alias'",
        },
        **{k: {"type": "string"} for k in OVERRIDE_KEYS},
    }
    schema = {"type": "object", "properties": {**properties, **common}}
    return {
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
    }


_FILE = {"type": "string", "format": "binary"}
MULTIPART_SCHEMA = _multipart(
    video={**_FILE, "description": "video file to upload"},
    transcript={
        **_FILE,
        "description": "optional .srt/.vtt/.json transcript (implies asr.mode=import)",
    },
    server_path={
        "type": "string",
        "description": "instead of an upload: a video file inside the server's media folders",
    },
)
BATCH_SCHEMA = _multipart(
    video={
        "type": "array",
        "items": _FILE,
        "description": "the recordings (each becomes a job), up to 20",
    },
    transcript={
        "type": "array",
        "items": _FILE,
        "description": "optional transcripts, each named like its video",
    },
)


def _api_routes(app: FastAPI, ctx: WebContext) -> None:
    @app.get("/health", tags=["meta"])
    def health() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/api/config", response_model=ConfigState, tags=["config"])
    def get_config() -> ConfigState:
        """The config editor's fields and values. Secret values are never included."""
        return editor_state(ctx.config_path, ctx.workdir, ctx.host)

    @app.post("/api/config", response_model=ConfigState, responses=CONFIG_ERRORS, tags=["config"])
    def post_config(update: ConfigUpdate) -> Any:
        """Change keys of the server's config file, validated by the same settings model as the
        CLI (nothing is written on error): 422 names each refused key, 400 an unknown one."""
        try:
            save_config(ctx.config_path, update, ctx.host)
        except ConfigInvalid as exc:
            body = ConfigErrorBody(
                code="invalid_config",
                detail=strip_paths(exc.one_line()),
                fields={p.path: p.message for p in exc.problems},
            )
            return JSONResponse(body.model_dump(), status_code=422)
        except ConfigError as exc:
            return JSONResponse(
                {"code": "invalid_config", "detail": strip_paths(exc.one_line())},
                status_code=400,
            )
        return editor_state(ctx.config_path, ctx.workdir, ctx.host)

    @app.get(
        "/api/jobs/{job_id}/download-all",
        responses={**ERRORS, 200: {"content": {"application/zip": {}}}},
        tags=["jobs"],
    )
    def job_download_all(job_id: JobId) -> Response:
        """Every clip of the job (and its burned-in version), subtitles, covers and
        edit_plan.json in one zip, streamed as it is written."""
        from fastapi.responses import StreamingResponse

        root = ctx.root(job_id)
        manifest = jobstate.read_manifest(root)
        entries = jobstate.read_outputs(root, manifest) if manifest else []
        members = bundle_members(entries, jobstate.inside(root, jobstate.JOB_FILES["plan"][0]))
        if not any(name.startswith("clips/") for name, _ in members):
            raise ApiError(404, "no_output", f"job {job_id} has no clips yet")
        stem = Path(ctx.snapshot(job_id, 0).source_name).stem or job_id
        return StreamingResponse(
            stream_zip(members),
            media_type="application/zip",
            headers={
                "Content-Disposition": attachment_header(f"{stem}-clips.zip"),
                "Cache-Control": "no-cache",
            },
        )

    @app.get("/api/plugins", tags=["plugins"])
    def get_plugins() -> list[dict[str, Any]]:
        """The same data as ``clipora plugins list --json``."""
        return [r.to_json() for r in ctx.host.plugin_list()]

    @app.get("/api/jobs", response_model=JobList, tags=["jobs"])
    def list_jobs() -> JobList:
        """Every job in the workdir, newest first (web and terminal jobs alike)."""
        return JobList(items=ctx.summaries())

    @app.post(
        "/api/jobs",
        status_code=201,
        response_model=jobstate.JobSnapshot,
        responses=ERRORS,
        openapi_extra=MULTIPART_SCHEMA,
        tags=["jobs"],
    )
    async def create_job(request: Request) -> jobstate.JobSnapshot:
        """Start a job: upload a video (streamed to disk, size-limited, probed) or name one on the
        server; optional per-job overrides."""
        return await ctx.submit(request)

    @app.post(
        "/api/batches",
        status_code=201,
        response_model=BatchSnapshot,
        responses=ERRORS,
        openapi_extra=BATCH_SCHEMA,
        tags=["batches"],
    )
    async def create_batch(request: Request) -> BatchSnapshot:
        """Upload several recordings at once: a job each, grouped as a batch (one product
        list and the same overrides for all)."""
        _, batch_id = await ctx.submit_any(request, batch=True)
        return ctx.batch_snapshot(batch_id)

    @app.get(
        "/api/batches/{batch_id}", response_model=BatchSnapshot, responses=ERRORS, tags=["batches"]
    )
    def get_batch(batch_id: BatchId) -> BatchSnapshot:
        """The batch's jobs, their progress and clips, and its report entries."""
        return ctx.batch_snapshot(batch_id)

    @app.get(
        "/api/jobs/{job_id}/outputs/{index}/thumbnail",
        responses={**ERRORS, 200: {"content": {"image/jpeg": {}}}},
        response_class=FileResponse,
        tags=["jobs"],
    )
    def job_thumbnail(
        job_id: JobId, index: Annotated[int, PathParam(ge=0, le=100000)]
    ) -> FileResponse:
        """A 320 px JPEG of clip #index: its cover scaled down, else a frame from its middle."""
        return _file(ctx.thumbnail(job_id, index), "image/jpeg", False)

    @app.get(
        "/api/jobs/{job_id}/outputs/{index}/cover",
        responses={**ERRORS, 200: {"content": {"image/jpeg": {}}}},
        response_class=FileResponse,
        tags=["jobs"],
    )
    def job_cover(
        job_id: JobId, index: Annotated[int, PathParam(ge=0, le=100000)], download: bool = False
    ) -> FileResponse:
        """Clip #index's cover: its sharpest frame, at the clip's size (``render.cover``)."""
        return _file(ctx.cover(job_id, index), "image/jpeg", download)

    @app.get(
        "/api/jobs/{job_id}", response_model=jobstate.JobSnapshot, responses=ERRORS, tags=["jobs"]
    )
    def get_job(job_id: JobId, request: Request) -> jobstate.JobSnapshot:
        return ctx.snapshot(job_id, lang=request_language(request))

    @app.get("/api/jobs/{job_id}/events", responses=ERRORS, tags=["jobs"])
    async def job_events(job_id: JobId, request: Request) -> Response:
        """Server-sent events: ``snapshot`` whenever the job changes, ``end`` once it is done."""
        ctx.root(job_id)
        return _event_stream(ctx, job_id, request)

    @app.get("/api/jobs/{job_id}/logs", response_model=LogLines, responses=ERRORS, tags=["jobs"])
    def job_logs(job_id: JobId, limit: Annotated[int, Query(ge=1, le=2000)] = 100) -> LogLines:
        root = ctx.root(job_id)
        return LogLines(lines=jobstate.tail_lines(root / "logs" / "pipeline.log", limit))

    @app.get(
        "/api/jobs/{job_id}/outputs/{index}",
        responses={**ERRORS, 200: {"content": {"video/mp4": {}}}},
        response_class=FileResponse,
        tags=["jobs"],
    )
    def job_output(
        job_id: JobId, index: Annotated[int, PathParam(ge=0, le=100000)], download: bool = False
    ) -> FileResponse:
        """Clip #index of the job (only files the job's render result lists)."""
        return _file(ctx.output(job_id, index)["path"], "video/mp4", download)

    @app.get(
        "/api/jobs/{job_id}/outputs/{index}/subtitles/{fmt}",
        responses=ERRORS,
        response_class=FileResponse,
        tags=["jobs"],
    )
    def job_subtitles(
        job_id: JobId,
        index: Annotated[int, PathParam(ge=0, le=100000)],
        fmt: Literal["srt", "vtt", "ass"],
        download: bool = False,
    ) -> FileResponse:
        path = ctx.output(job_id, index)["subtitles"].get(fmt)
        if path is None:
            raise ApiError(404, "no_output", f"clip #{index} has no {fmt} subtitles")
        media = jobstate.SUBTITLE_TYPES[fmt] + "; charset=utf-8"
        return _file(path, media, download)

    @app.get(
        "/api/jobs/{job_id}/outputs/{index}/burned",
        responses=ERRORS,
        response_class=FileResponse,
        tags=["jobs"],
    )
    def job_burned(
        job_id: JobId, index: Annotated[int, PathParam(ge=0, le=100000)], download: bool = False
    ) -> FileResponse:
        path = ctx.output(job_id, index)["burned"]
        if path is None:
            raise ApiError(404, "no_output", f"clip #{index} has no burned-in subtitle version")
        return _file(path, "video/mp4", download)

    @app.get(
        "/api/jobs/{job_id}/files/{name}",
        responses=ERRORS,
        response_class=FileResponse,
        tags=["jobs"],
    )
    def job_file(
        job_id: JobId, name: Literal["plan", "transcript", "log"], download: bool = False
    ) -> FileResponse:
        """The job's edit plan, transcript or pipeline log."""
        root = ctx.root(job_id)
        rel, media = jobstate.JOB_FILES[name]
        path = jobstate.inside(root, rel)
        if path is None:
            raise ApiError(404, "no_output", f"job {job_id} has no {name} yet")
        return _file(path, media, download)

    @app.post(
        "/api/jobs/{job_id}/stop",
        response_model=jobstate.JobSnapshot,
        responses=ERRORS,
        tags=["jobs"],
    )
    def stop_job(job_id: JobId) -> jobstate.JobSnapshot:
        """Stop a queued or running job; its running stage ends as interrupted."""
        return ctx.stop(job_id)

    @app.post(
        "/api/jobs/{job_id}/rerun",
        status_code=202,
        response_model=jobstate.JobSnapshot,
        responses=ERRORS,
        tags=["jobs"],
    )
    def rerun_job(job_id: JobId, body: RerunRequest | None = None) -> jobstate.JobSnapshot:
        """Queue the job again: from a stage (it and later stages rerun), or where it stopped."""
        return ctx.rerun(job_id, body.from_stage if body else None)


def _event_stream(ctx: WebContext, job_id: str, request: Request) -> Response:
    from fastapi.responses import StreamingResponse

    lang = request_language(request)

    async def events() -> AsyncIterator[str]:
        last = None
        quiet = 0
        while True:
            if await request.is_disconnected():
                return
            try:
                snap = await run_in_threadpool(ctx.snapshot, job_id, 30, lang)
            except ApiError:
                yield "event: end\ndata: {}\n\n"
                return
            data = snap.model_dump_json()
            if data != last:
                last = data
                quiet = 0
                yield f"event: snapshot\ndata: {data}\n\n"
            else:
                quiet += 1
                if quiet % 15 == 0:
                    yield ": keep-alive\n\n"
            if snap.status not in jobstate.ACTIVE:
                yield "event: end\ndata: {}\n\n"
                return
            await asyncio.sleep(0.5)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


# --- pages ---------------------------------------------------------------------------------------


def _page_routes(app: FastAPI, ctx: WebContext) -> None:
    def form_context(
        error: str | None = None, values: dict[str, str] | None = None
    ) -> dict[str, Any]:
        settings = None
        with contextlib.suppress(CliporaError):
            settings = ctx.settings()
        defaults = {}
        if settings is not None:
            for key in OVERRIDE_KEYS:
                value: Any = settings
                for part in key.split("."):
                    value = getattr(value, part, None)
                defaults[key] = _form_value(key, value)
        return {
            "error": strip_paths(error) if error else None,
            "values": values or {},
            "overrides": {
                k: {
                    "key": k,
                    "label": OVERRIDE_LABELS.get(k, k),
                    "options": ctx.override_options.get(k, []),
                    "default": defaults.get(k, ""),
                }
                for k in OVERRIDE_KEYS
            },
            "media_dirs": [str(d) for d in ctx.media_dirs],
            "max_upload_mb": ctx.max_upload_bytes // (1024 * 1024),
        }

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml")

    @app.get("/lang/{code}", include_in_schema=False)
    def switch_language(code: str, next: str = "/") -> Response:
        """The header's language switch: remembered in a cookie for a year."""
        lang = normalize_lang(code) or DEFAULT_LANG
        # Only a path on this server: never an open redirect to another site.
        target = next if next.startswith("/") and not next.startswith(("//", "/\\")) else "/"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
        return response

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> Response:
        jobs = ctx.summaries()[:10]
        return _page(ctx, request, "index.html", {"jobs": jobs, **form_context()})

    @app.post("/jobs", include_in_schema=False)
    async def submit_form(request: Request) -> Response:
        typed: dict[str, str] = {}
        try:
            kind, ident = await ctx.submit_any(request, typed)
        except CliporaError as exc:
            status = 413 if isinstance(exc, UploadTooLarge) else 400
            jobs = ctx.summaries()[:10]
            context = form_context(exc.one_line(), typed)
            return _page(ctx, request, "index.html", {"jobs": jobs, **context}, status)
        where = f"/batches/{ident}" if kind == "batch" else f"/jobs/{ident}"
        return RedirectResponse(where, status_code=303)

    @app.get("/batches/{batch_id}", response_class=HTMLResponse, include_in_schema=False)
    def batch_page(request: Request, batch_id: str) -> Response:
        try:
            snap = ctx.batch_snapshot(batch_id)
        except ApiError:
            message = translate(request_language(request), "error.no_batch")
            return _page(ctx, request, "error.html", {"status": 404, "message": message}, 404)
        return _page(ctx, request, "batch.html", {"batch": snap})

    @app.get("/jobs", response_class=HTMLResponse, include_in_schema=False)
    def jobs_page(request: Request) -> Response:
        return _page(ctx, request, "jobs.html", {"jobs": ctx.summaries()})

    @app.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def job_page(request: Request, job_id: str) -> Response:
        if jobstate.job_root(ctx.workdir, job_id) is None:
            message = translate(request_language(request), "error.no_job")
            return _page(ctx, request, "error.html", {"status": 404, "message": message}, 404)
        try:
            snap = ctx.snapshot(job_id, lang=request_language(request))
        except ApiError:
            message = translate(request_language(request), "error.damaged_job", job=job_id)
            return _page(ctx, request, "error.html", {"status": 404, "message": message}, 404)
        return _page(
            ctx,
            request,
            "job.html",
            {
                "job": snap,
                "job_json": snap.model_dump_json(),
                "stages": STAGES,
                "active": snap.status in jobstate.ACTIVE,
            },
        )

    @app.post("/jobs/{job_id}/stop", include_in_schema=False)
    def stop_form(job_id: str) -> Response:
        if jobstate.job_root(ctx.workdir, job_id) is None:
            raise ApiError(404, "unknown_job", "no such job")
        with contextlib.suppress(ApiError):
            ctx.stop(job_id)
        return RedirectResponse(f"/jobs/{job_id}", status_code=303)

    @app.post("/jobs/{job_id}/rerun", include_in_schema=False)
    async def rerun_form(request: Request, job_id: str) -> Response:
        if jobstate.job_root(ctx.workdir, job_id) is None:
            raise ApiError(404, "unknown_job", "no such job")
        form = await request.form(max_files=0, max_fields=4)
        stage = str(form.get("from_stage") or "") or None
        if stage is not None and stage not in STAGES:
            raise ApiError(400, "bad_stage", f"unknown stage {stage!r}")
        ctx.rerun(job_id, stage)
        return RedirectResponse(f"/jobs/{job_id}", status_code=303)

    @app.get("/config", response_class=HTMLResponse, include_in_schema=False)
    def config_page(request: Request, saved: int | None = None) -> Response:
        lang = request_language(request)
        state = editor_state(ctx.config_path, ctx.workdir, ctx.host)
        message = None
        if saved is not None:
            key = "config.saved" if saved else "config.unchanged"
            message = translate(lang, key, n=saved)
        page = build_page(lang, state)
        return _page(
            ctx,
            request,
            "config.html",
            {"state": state, "page": page, "message": message, "error": None},
        )

    @app.post("/config", include_in_schema=False)
    async def config_form(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=2000)
        state = editor_state(ctx.config_path, ctx.workdir, ctx.host)
        values: dict[str, Any] = {}
        for section in state.sections:
            for f in section.fields:
                submitted = form.getlist(f.path)
                if submitted:
                    values[f.path] = str(submitted[-1])
        clear = [str(v) for v in form.getlist("__clear__")]
        try:
            changed = save_config(
                ctx.config_path, ConfigUpdate(values=values, clear_secrets=clear), ctx.host
            )
        except ConfigError as exc:
            lang = request_language(request)
            problems = exc.problems if isinstance(exc, ConfigInvalid) else []
            error = (
                translate(lang, "config.invalid", n=len(problems))
                if problems
                else strip_paths(exc.one_line())
            )
            page = build_page(lang, state, problems, values)
            context = {"state": state, "page": page, "message": None, "error": error}
            return _page(ctx, request, "config.html", context, 422 if problems else 400)
        return RedirectResponse(f"/config?saved={len(changed)}", status_code=303)

    @app.get("/plugins", response_class=HTMLResponse, include_in_schema=False)
    def plugins_page(request: Request) -> Response:
        records = [r.to_json() for r in ctx.host.plugin_list()]
        return _page(ctx, request, "plugins.html", {"plugins": records})
