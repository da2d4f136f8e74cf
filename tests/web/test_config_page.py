"""The HTML config form round-trips: submitting it unchanged writes nothing, and one edit writes
exactly that key (parsed from the served page, as a browser would submit it)."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlencode

import yaml
from web_support import SECRET


class _Form(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind == "checkbox" and "checked" not in a:
                return
            self.pairs.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.pairs.append((self._select, a.get("value") or ""))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.pairs.append((self._textarea, self._text))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text += data


def _form(client) -> list[tuple[str, str]]:
    page = client.get("/config")
    assert page.status_code == 200
    start = page.text.index('<form method="post" action="/config"')
    parser = _Form()
    parser.feed(page.text[start:])
    return parser.pairs


def _post(client, pairs, **kw):
    return client.post(
        "/config",
        content=urlencode(pairs),
        headers={"content-type": "application/x-www-form-urlencoded"},
        **kw,
    )


def test_unchanged_form_writes_nothing_and_one_edit_writes_one_key(make_client, tmp_path):
    client = make_client()
    config = tmp_path / "clipora.yaml"
    # The user's own notes in the file must survive a save from the web page.
    config.write_text("# my shop's settings, ask Li before changing\n" + config.read_text())
    before = config.read_text()
    pairs = _form(client)
    assert len({k for k, _ in pairs}) > 50
    assert all(v != SECRET for _, v in pairs)
    r = _post(client, pairs, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/config?saved=0"
    assert config.read_text() == before

    edited = [
        (k, "0.8" if k == "analysis.pose_presence.min_presence_ratio" else v) for k, v in pairs
    ]
    r = _post(client, edited, follow_redirects=False)
    assert r.headers["location"] == "/config?saved=1"
    data = yaml.safe_load(config.read_text())
    assert data["analysis"]["pose_presence"] == {"min_presence_ratio": 0.8}
    assert data["analysis"]["live_commerce"]["provider"]["api_key"] == SECRET
    assert (tmp_path / "clipora.yaml.bak").read_text() == before
    assert config.read_text().startswith("# my shop's settings, ask Li before changing\n")

    bad = [(k, "fast-please" if k == "render.ffmpeg.crf" else v) for k, v in pairs]
    r = _post(client, bad)
    assert r.status_code == 422 and 'id="err-render.ffmpeg.crf"' in r.text
    assert yaml.safe_load(config.read_text())["analysis"]["pose_presence"] == {
        "min_presence_ratio": 0.8
    }
