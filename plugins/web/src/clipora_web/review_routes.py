"""Review before render, in the browser: the review page and its JSON API.

Every edit goes through the kernel's review (``clipora_core.review``) with the job locked, so a
job that runs (here or in a terminal) is never edited under its feet; answers are read back from
the job folder like every other page's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from clipora_core.api import (
    CliporaError,
    JobWorkspace,
    Review,
    ReviewEdit,
    first_error,
)
from fastapi import FastAPI, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from clipora_web import jobstate
from clipora_web.i18n import request_language, translate
from clipora_web.review_view import ReviewView, view
from clipora_web.submission import WebSubmission, read_submission, write_submission

if TYPE_CHECKING:
    from clipora_web.app import WebContext

MAX_BODY = 16 * 1024  # an edit is a line of text or a few windows
EDIT = TypeAdapter(ReviewEdit)


class UndoRequest(BaseModel):
    model_config = {"extra": "forbid"}
    to_version: int | None = Field(None, ge=0, description="default: one edit back")


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


class ErrorBody(BaseModel):
    code: str
    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorBody} for s in (400, 404, 409, 413, 415)
}
JobId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{12}$", description="12 hex digits")]


def register(app: FastAPI, ctx: WebContext, page: Callable[..., Response]) -> None:
    """The review routes; ``page`` renders a template as every other page is rendered."""

    @app.exception_handler(ApiError)
    async def _error(request: Request, exc: ApiError) -> Response:
        return JSONResponse({"code": exc.code, "detail": exc.detail}, status_code=exc.status)

    def job_dir(job_id: str) -> Path:
        found = jobstate.job_root(ctx.workdir, job_id)
        if found is None:
            raise ApiError(404, "unknown_job", f"no job {job_id}")
        return found

    def open_locked(job_id: str) -> JobWorkspace:
        snap = ctx.snapshot(job_id)
        if snap.status in jobstate.ACTIVE:
            raise ApiError(409, "job_active", f"job {job_id} is {snap.status}; wait until it stops")
        job = JobWorkspace.open(job_dir(job_id))
        if job.stage("analyze").status != "completed":
            raise ApiError(409, "not_analyzed", f"job {job_id} has no analyzed clips to review")
        try:
            job.acquire()
        except CliporaError as exc:
            raise ApiError(409, "job_active", exc.one_line()) from None
        return job

    def edit(job_id: str, change: Any) -> ReviewView:
        job = open_locked(job_id)
        try:
            review = Review.open(job)
            state = change(review)
        except CliporaError as exc:
            raise ApiError(400, "invalid_edit", exc.one_line()) from None
        finally:
            job.release()
        return view(job, review, state)

    @app.get(
        "/api/jobs/{job_id}/review", response_model=ReviewView, responses=ERRORS, tags=["review"]
    )
    def get_review(job_id: JobId) -> ReviewView:
        """The products, their transcript lines and clips as the edits so far leave them."""
        job = JobWorkspace.open(job_dir(job_id))
        if job.stage("analyze").status != "completed":
            raise ApiError(409, "not_analyzed", f"job {job_id} has no analyzed clips to review")
        try:
            review = Review.open(job)
        except CliporaError as exc:
            raise ApiError(409, "not_reviewable", exc.one_line()) from None
        return view(job, review, review.state())

    @app.post(
        "/api/jobs/{job_id}/review/edits",
        response_model=ReviewView,
        responses=ERRORS,
        tags=["review"],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": EDIT.json_schema()}},
            }
        },
    )
    async def post_edit(job_id: JobId, request: Request) -> ReviewView:
        """One edit (kind: transcript, rename, windows, keep, merge), recorded as the next
        version; ``analysis/edit_plan.json`` is rewritten from it."""
        raw = await _body(request, ApiError)
        change = _parse(lambda: EDIT.validate_json(raw), ApiError)
        return edit(job_id, lambda r: r.add(change))

    @app.post(
        "/api/jobs/{job_id}/review/undo",
        response_model=ReviewView,
        responses=ERRORS,
        tags=["review"],
    )
    async def post_undo(job_id: JobId, request: Request) -> ReviewView:
        raw = await _body(request, ApiError, allow_empty=True)
        body = _parse(lambda: UndoRequest.model_validate_json(raw.strip() or b"{}"), ApiError)
        return edit(job_id, lambda r: r.undo(body.to_version))

    @app.post(
        "/api/jobs/{job_id}/review/render",
        status_code=202,
        response_model=jobstate.JobSnapshot,
        responses=ERRORS,
        tags=["review"],
    )
    def post_render(job_id: JobId) -> jobstate.JobSnapshot:
        """Render the kept clips; a clip whose windows and text did not change is reused."""
        open_locked(job_id).release()
        folder = job_dir(job_id)
        if read_submission(folder) is None:  # a job started in a terminal: adopt it
            snap = ctx.snapshot(job_id)
            write_submission(
                folder, WebSubmission(job_id=job_id, source_name=snap.source_name, state="idle")
            )
        try:
            ctx.runner.enqueue(job_id, action="render")
        except CliporaError as exc:
            raise ApiError(409, "job_active", exc.one_line()) from None
        return ctx.snapshot(job_id)

    @app.get("/api/jobs/{job_id}/review/video", responses=ERRORS, tags=["review"])
    def review_video(job_id: JobId) -> FileResponse:
        """The recording the clips are cut from, for the review page's player."""
        job = JobWorkspace.open(job_dir(job_id))
        path = Path(job.effective_source)
        if not path.is_file():
            raise ApiError(404, "no_output", "the job's video is gone")
        return FileResponse(path, media_type="video/mp4", headers={"Cache-Control": "no-cache"})

    @app.get("/jobs/{job_id}/review", response_class=HTMLResponse, include_in_schema=False)
    def review_page(request: Request, job_id: str) -> Response:
        root = jobstate.job_root(ctx.workdir, job_id)
        if root is None:
            message = translate(request_language(request), "error.no_job")
            return page(ctx, request, "error.html", {"status": 404, "message": message}, 404)
        if jobstate.read_manifest(root) is None:
            message = translate(request_language(request), "error.damaged_job", job=job_id)
            return page(ctx, request, "error.html", {"status": 404, "message": message}, 404)
        return page(ctx, request, "review.html", {"job": ctx.snapshot(job_id)})


def _parse(parse: Any, error: Any) -> Any:
    try:
        return parse()
    except ValidationError as exc:
        raise error(400, "invalid_edit", first_error(exc)) from None


async def _body(request: Request, error: Any, allow_empty: bool = False) -> bytes:
    """The request's JSON body, refused past ``MAX_BODY`` before it is read whole."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise error(413, "too_large", f"an edit is at most {MAX_BODY // 1024} KiB")
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY:
            raise error(413, "too_large", f"an edit is at most {MAX_BODY // 1024} KiB")
    if not data.strip() and not allow_empty:
        raise error(400, "invalid_edit", "the request has no body (send the edit as JSON)")
    if "json" not in request.headers.get("content-type", "json") and data.strip():
        raise error(415, "unsupported_media_type", "send the edit as application/json")
    return data
