"""Request checks in front of every route (plain ASGI middleware).

* Host: bound to loopback, only loopback host names are served, which defeats DNS rebinding
  (a hostile page whose name resolves to 127.0.0.1 cannot read the API).
* Token: when one is set (required off loopback), every request carries it as
  ``Authorization: Bearer``, ``X-Clipora-Token`` or the ``clipora_token`` cookie, which a
  ``?token=`` link sets once (then redirects to the same URL without it).
* Origin: state-changing requests (anything but GET/HEAD/OPTIONS) from a browser must come from
  this server's own pages (``Origin``, else ``Sec-Fetch-Site``/``Referer``), so another site cannot
  post forms or requests to it.

A refusal is JSON (``code``, ``detail`` in English), or for a browser asking for HTML a small
page in the reader's language with the other language under it: the refused request cannot load
the UI's stylesheet or language switch, and a reader may not have chosen a language yet.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from clipora_web.i18n import LANG_COOKIE, LANGS, pick_language, translate

Scope = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]
]

COOKIE = "clipora_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1"}
PUBLIC_PATHS = {"/health"}
# A refusal's message key -> the key of what to do about it.
HINTS = {
    "security.bad_host": "security.bad_host_hint",
    "security.unauthorized": "security.unauthorized_hint",
    "security.wrong_token": "security.unauthorized_hint",
    "security.cross_origin": "security.cross_origin_hint",
}
# Pages load only this server's own scripts, styles and media, and cannot be framed.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; "
        b"base-uri 'none'; form-action 'self'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),  # no-referrer would make Origin "null"
]


def is_loopback(host: str) -> bool:
    import ipaddress

    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def hostname_of(netloc: str) -> str:
    netloc = netloc.strip().lower()
    if netloc.startswith("["):
        return netloc[1 : netloc.find("]")] if "]" in netloc else netloc
    return netloc.rsplit(":", 1)[0] if netloc.count(":") == 1 else netloc


class Guard:
    def __init__(self, app: ASGIApp, token: str | None, allowed_hosts: set[str] | None) -> None:
        self.app = app
        self.token = token or None
        self.allowed_hosts = {h.lower() for h in allowed_hosts} if allowed_hosts else None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        refuse = Refusal(send, headers, query)
        if self.allowed_hosts is not None and hostname_of(host) not in self.allowed_hosts:
            await refuse(400, "bad_host", "this server only answers to its own address")
            return
        path = scope.get("path", "")
        method = scope.get("method", "GET")
        if self.token and path not in PUBLIC_PATHS:
            given = next((v for k, v in query if k == "token"), None)
            if given is not None and method in ("GET", "HEAD"):
                if not self._valid(given):
                    await refuse(401, "unauthorized", "wrong token", "security.wrong_token")
                    return
                rest = urlencode([(k, v) for k, v in query if k != "token"])
                await _redirect(send, path + (f"?{rest}" if rest else ""), self.token)
                return
            if not self._valid(_supplied(headers)):
                await refuse(
                    401,
                    "unauthorized",
                    "this Clipora server needs its access token: open the link printed by "
                    "`clipora web` (it ends with ?token=...) or send Authorization: Bearer <token>",
                )
                return
        if method not in SAFE_METHODS and not _same_origin(headers, host):
            await refuse(403, "cross_origin", "cross-site request refused")
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _valid(self, supplied: str | None) -> bool:
        if not supplied or not self.token:
            return False
        return hmac.compare_digest(supplied.encode(), self.token.encode())


def _supplied(headers: dict[str, str]) -> str | None:
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    if headers.get("x-clipora-token"):
        return headers["x-clipora-token"]
    return _cookie(headers, COOKIE)


def _same_origin(headers: dict[str, str], host: str) -> bool:
    origin = headers.get("origin")
    if origin is not None:
        return origin != "null" and urlsplit(origin).netloc.lower() == host.lower()
    if headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        return False
    referer = headers.get("referer")
    if referer:
        return urlsplit(referer).netloc.lower() == host.lower()
    return True  # not a browser (curl, scripts): no ambient credentials to abuse without a token


class Refusal:
    """Answers one refused request: JSON, or an HTML page when the client asks for HTML."""

    def __init__(self, send: Any, headers: dict[str, str], query: list[tuple[str, str]]) -> None:
        self.send, self.headers, self.query = send, headers, query

    async def __call__(self, status: int, code: str, detail: str, key: str = "") -> None:
        if "text/html" in self.headers.get("accept", ""):
            lang = pick_language(
                next((v for k, v in self.query if k == "lang"), None),
                _cookie(self.headers, LANG_COOKIE),
                self.headers.get("accept-language"),
            )
            body = refusal_page(status, key or f"security.{code}", lang).encode()
            ctype = b"text/html; charset=utf-8"
        else:
            body = json.dumps({"code": code, "detail": detail}).encode()
            ctype = b"application/json"
        length = str(len(body)).encode()
        head = [(b"content-type", ctype), (b"content-length", length), *SECURITY_HEADERS]
        await self.send({"type": "http.response.start", "status": status, "headers": head})
        await self.send({"type": "http.response.body", "body": body})


def refusal_page(status: int, key: str, lang: str) -> str:
    """The refusal in ``lang``, then in the other language (no script, style or link: none of
    the UI's files can be fetched by a refused client)."""
    from html import escape

    blocks = []
    for code in sorted(LANGS, key=lambda c: c != lang):
        words = [translate(code, "error.title_other"), translate(code, key)]
        if key in HINTS:
            words.append(translate(code, HINTS[key]))
        title, message, *hint = (escape(w) for w in words)
        blocks.append(
            f'<section lang="{code}"><h1>{title}</h1><p id="refusal-{code}">{message}</p>'
            + "".join(f"<p>{h}</p>" for h in hint)
            + "</section>"
        )
    return (
        f'<!doctype html><html lang="{lang}"><meta charset="utf-8">'
        f"<title>{status} · Clipora</title>{'<hr>'.join(blocks)}"
        f"<p>HTTP {status}</p></html>"
    )


def _cookie(headers: dict[str, str], name: str) -> str | None:
    from http.cookies import CookieError, SimpleCookie

    try:
        cookie = SimpleCookie(headers.get("cookie", ""))
    except CookieError:
        return None
    morsel = cookie.get(name)
    return morsel.value if morsel else None


async def _redirect(send: Any, location: str, token: str) -> None:
    cookie = f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [
                (b"location", location.encode("latin-1", errors="replace")),
                (b"set-cookie", cookie.encode("latin-1")),
                (b"content-length", b"0"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b""})
