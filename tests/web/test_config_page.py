"""The HTML config form round-trips: submitting it unchanged writes nothing, and one edit writes
exactly that key (parsed from the served page, as a browser would submit it). Every first-party
field's help comes in both languages from its config model."""

from __future__ import annotations

import html
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import yaml
from web_support import SECRET, write_config

REPO = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")


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


def _workspace_distributions() -> set[str]:
    """The distributions of this repository's uv workspace: the first-party plugins."""
    root = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    names = set()
    for pattern in root["tool"]["uv"]["workspace"]["members"]:
        for member in REPO.glob(pattern):
            if (member / "pyproject.toml").is_file():
                meta = tomllib.loads((member / "pyproject.toml").read_text(encoding="utf-8"))
                names.add(meta["project"]["name"])
    return names


def test_every_first_party_field_has_chinese_help(tmp_path):
    """What the settings page shows: the sections the plugin host registers, as the page reads
    them. A first-party field with English help has Chinese help from its own model too."""
    from clipora_core.api import ConfigSection, build_settings_model, get_host
    from clipora_web.config_editor import editor_state

    host = get_host()
    sections = host.config_sections()
    plugin_sections = [s for s in sections if isinstance(s, ConfigSection)]
    ours = _workspace_distributions()
    assert {s.distribution for s in plugin_sections} >= {"clipora-render-ffmpeg"}

    def first_party(path: str) -> bool:
        holders = [s for s in plugin_sections if path.startswith(s.path + ".")]
        return not holders or max(holders, key=lambda s: len(s.path)).distribution in ours

    state = editor_state(write_config(tmp_path), tmp_path, host)
    fields = [f for s in state.sections for f in s.fields if first_party(f.path)]
    missing = [f.path for f in fields if f.description and not CJK.search(f.description_zh)]
    assert len(fields) > 150 and missing == []
    paths = {f.path for f in fields}
    assert {"render.subject.max_speed", "cleaning.freeze.merge_gap_seconds"} <= paths

    # Sub-sections' own descriptions (analysis.live_commerce.tighten, ...) too.
    def walk(model, prefix=""):
        for name, info in model.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            yield prefix + name, info.description, str(extra.get("description_zh") or "")
            sub = info.annotation
            if isinstance(sub, type) and hasattr(sub, "model_fields"):
                yield from walk(sub, f"{prefix}{name}.")

    model = build_settings_model(sections)
    undone = [p for p, en, zh in walk(model) if en and first_party(p) and not CJK.search(zh)]
    assert undone == []


def _help(page_html: str, path: str) -> str:
    m = re.search(
        rf'data-path="{re.escape(path)}">.*?<div class="help">(.*?)(?:<div|</div>)',
        page_html,
        re.S,
    )
    assert m, path
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", m.group(1))).split())


def test_chinese_settings_page_has_chinese_help_for_every_field(make_client):
    from clipora_web.i18n import field_help

    client = make_client()
    zh = client.get("/config?lang=zh-CN")
    assert zh.status_code == 200
    # Advanced fields, folded under their sections, not only the basic list.
    assert "裁切框" in _help(zh.text, "render.subject.max_speed")
    assert "合并成一段" in _help(zh.text, "cleaning.freeze.merge_gap_seconds")
    assert "跟着主播和商品裁切" in _help(zh.text, "render.ffmpeg.fit")  # a basic one
    assert "（英文说明）" not in zh.text  # every field here is first-party
    en = client.get("/config?lang=en")
    assert _help(en.text, "render.subject.max_speed") == (
        "Fastest the crop may move, in source widths (or heights) per second"
    )
    assert not CJK.search(_help(en.text, "cleaning.freeze.merge_gap_seconds"))
    # A third-party field without Chinese help shows its English one, marked as such.
    assert field_help("zh-CN", "Service region", "") == ("Service region", True)
    assert field_help("en", "Service region", "服务地域") == ("Service region", False)
