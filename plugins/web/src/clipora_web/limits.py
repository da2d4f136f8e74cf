"""Request bodies kept small, and server paths kept out of what a browser is told.

``BodyLimit`` caps every request body except the upload forms (which stream to disk under their
own limits in ``uploads.py``): by ``Content-Length`` before anything is read, and by counting the
bytes as they arrive (a chunked body has no length). A body over the cap is answered 413 (by the
app's error handler, in the reader's language) before any route parses it, so a huge config can
neither be saved nor slow every later page.

``strip_paths`` turns absolute file paths in a message into their file names: an error message
is for the person at the browser, who may not be the server's owner.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]

KIB = 1024
# The config form posts every field of the settings model (some 200) plus inline product lists.
CONFIG_BODY_LIMIT = 128 * KIB
JSON_BODY_LIMIT = 64 * KIB
CONFIG_PATHS = ("/api/config", "/config")
# Multipart uploads: parsed as a stream with per-file limits (uploads.py).
UPLOAD_PATHS = ("/api/jobs", "/api/batches", "/jobs")

_URL_PREFIXES = ("/api/", "/jobs", "/batches", "/config", "/plugins", "/static/", "/lang/")
_POSIX = re.compile(r"(?<![\w.:/~-])(/(?:[^\s/'\"(),;<>|]+/)+[^\s/'\"(),;<>|]*)")
_WINDOWS = re.compile(r"\b[A-Za-z]:\\(?:[^\s\\'\"(),;<>|]+\\)*[^\s\\'\"(),;<>|]*")


def _name_of(match: re.Match[str]) -> str:
    text = match.group(0)
    if text.startswith(_URL_PREFIXES):
        return text
    parts = [p for p in re.split(r"[\\/]", text) if p]
    return parts[-1] if parts else text


def strip_paths(message: str | None) -> str:
    """``"cannot read /srv/shop/in/a.mp4"`` -> ``"cannot read a.mp4"``."""
    if not message:
        return message or ""
    return _WINDOWS.sub(_name_of, _POSIX.sub(_name_of, message))


class BodyTooLarge(HTTPException):
    """Raised while the body is read, so the route never sees it; FastAPI passes an
    ``HTTPException`` through its body parsing (anything else would become a 400), and the
    app's handler answers it in the reader's language."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            413, f"The request is too large: at most {limit // KIB} KiB may be sent here."
        )
        self.limit = limit


def body_limit(path: str, method: str, content_type: str) -> int | None:
    """The cap for this request's body; None: not capped here."""
    if method in ("GET", "HEAD", "OPTIONS"):
        return None
    if path in UPLOAD_PATHS and content_type.startswith("multipart/form-data"):
        return None
    return CONFIG_BODY_LIMIT if path in CONFIG_PATHS else JSON_BODY_LIMIT


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        limit = body_limit(
            scope.get("path", ""), scope.get("method", "GET"), headers.get("content-type", "")
        )
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = headers.get("content-length", "")
        # A declared length over the cap is refused at the first read, before any byte is read.
        received = int(declared) if declared.isdigit() and int(declared) > limit else 0

        async def counting_receive() -> Any:
            nonlocal received
            if received > limit:  # the declared length is over: nothing is read
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counting_receive, send)
