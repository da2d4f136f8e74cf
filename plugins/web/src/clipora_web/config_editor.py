"""The config page: fields generated from the settings model (core + plugin sections), values from
the one config file fixed at server start, and saving back to it.

Secrets are write-only: their values never leave the server (only whether one is set); an empty
input keeps the stored secret, and a separate "clear" list removes it. Only changed keys are
written, so saving does not copy every default into the file. Numbers and booleans are written as
YAML numbers and booleans. The file is edited as a round-trip YAML document (ruamel.yaml), so the
user's comments and key order survive a save; the previous file is also kept as ``<name>.bak``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import types
import typing
from enum import Enum
from pathlib import Path
from typing import Any, Literal

import yaml
from clipora_core.api import (
    ConfigError,
    Kind,
    atomic_write_text,
    build_settings_model,
    env_overrides,
    flatten,
    is_secret,
    iter_fields,
    load_config,
    read_config_file,
    set_dotted,
)
from pydantic import BaseModel, Field, SecretStr

# Fields whose allowed values are the names of registered capabilities.
CAPABILITY_CHOICES: dict[str, Kind] = {
    "inspect.prober": Kind.PROBER,
    "asr.mode": Kind.ASR,
    "analysis.video_type": Kind.VIDEO_TYPE,
    "analysis.pose_presence.detector": Kind.PRESENCE_DETECTOR,
    "render.renderer": Kind.RENDERER,
}

# Free-text fields offered as a choice of common values (a value in the file outside them is
# still shown and kept).
SUGGESTED_CHOICES: dict[str, list[str]] = {"render.ffmpeg.aspect": ["9:16", "1:1", "4:5", "16:9"]}

Control = Literal["text", "textarea", "number", "checkbox", "select", "password", "list"]


class FieldView(BaseModel):
    path: str
    label: str
    description: str = ""
    description_zh: str = Field(
        "", description='Chinese help: json_schema_extra={"description_zh": ...} of the field'
    )
    control: Control
    options: list[str] = Field(default_factory=list)
    value: Any = Field(
        None, description="value in the config file, else the default (never a secret)"
    )
    in_file: bool = False
    default: Any = None
    effective_value: Any = Field(None, description="value in effect with the environment applied")
    source: str = "default"
    env_var: str
    env_override: bool = False
    secret: bool = False
    secret_set: bool = Field(False, description="a secret has a value (file or environment)")
    nullable: bool = False


class SectionView(BaseModel):
    id: str
    title: str
    fields: list[FieldView]


class ConfigState(BaseModel):
    config_path: str
    file_exists: bool
    workdir: str
    load_error: str | None = None
    sections: list[SectionView]


class FieldProblem(BaseModel):
    """Why one submitted value was refused (``type``/``ctx`` as pydantic reports them, so a page
    can word the message in its own language)."""

    path: str
    type: str
    message: str
    ctx: dict[str, str] = Field(default_factory=dict)


class ConfigInvalid(ConfigError):
    """Values the settings model refuses, each with the field it belongs to."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("invalid config: " + "; ".join(f"{p.path}: {p.message}" for p in problems))


class ConfigUpdate(BaseModel):
    values: dict[str, Any] = Field(
        default_factory=dict,
        description="dotted key -> new value; for secrets an empty string keeps the stored one",
    )
    clear_secrets: list[str] = Field(default_factory=list, description="secret keys to remove")


# --- field typing ------------------------------------------------------------------------------


def _args(annotation: Any) -> tuple[Any, ...]:
    return typing.get_args(annotation)


def _is_optional(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    return origin in (typing.Union, types.UnionType) and type(None) in _args(annotation)


def _inner(annotation: Any) -> Any:
    if _is_optional(annotation):
        rest = [a for a in _args(annotation) if a is not type(None)]
        return rest[0] if len(rest) == 1 else annotation
    return annotation


def _literal_options(annotation: Any) -> list[str]:
    inner = _inner(annotation)
    if typing.get_origin(inner) is Literal:
        return [str(a) for a in _args(inner)]
    if isinstance(inner, type) and issubclass(inner, Enum):
        return [str(m.value) for m in inner]
    return []


def _literal_values(annotation: Any) -> list[Any]:
    inner = _inner(annotation)
    if typing.get_origin(inner) is Literal:
        return list(_args(inner))
    if isinstance(inner, type) and issubclass(inner, Enum):
        return [m.value for m in inner]
    return []


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(_inner(annotation)) in (list, set, tuple)


def _has_mapping_items(annotation: Any) -> bool:
    """A list whose items may be mappings (``analysis.products``), not just words."""
    if not _is_list(annotation):
        return False
    (item,) = _args(_inner(annotation))[:1] or (None,)
    options = _args(item) if typing.get_origin(item) in (typing.Union, types.UnionType) else (item,)
    return any(isinstance(o, type) and issubclass(o, BaseModel) for o in options)


def list_line(item: Any) -> str:
    """One item of such a list as a textarea line: a word as itself, a mapping as JSON."""
    import json

    return item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)


def _number_kind(annotation: Any) -> type | None:
    inner = _inner(annotation)
    if inner is bool:
        return None
    if inner in (int, float):
        return inner
    return None


def control_for(
    path: str, annotation: Any, host: Any, multiline: bool = False
) -> tuple[Control, list[str]]:
    if is_secret(annotation):
        return "password", []
    if _inner(annotation) is bool:
        return "checkbox", []
    if path in CAPABILITY_CHOICES and host is not None:
        names = [c.name for c in host.capabilities(CAPABILITY_CHOICES[path])]
        return "select", names
    options = _literal_options(annotation) or SUGGESTED_CHOICES.get(path, [])
    if options:
        return "select", options
    if _has_mapping_items(annotation):
        return "textarea", []  # one item a line: commas may sit inside an item
    if _is_list(annotation):
        return "list", []
    if _number_kind(annotation) is not None:
        return "number", []
    if multiline:  # a field that asks for it (json_schema_extra={"multiline": True})
        return "textarea", []
    return "text", []


# --- reading -----------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return None
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def load_effective(config_path: Path, sections: list[Any], **kw: Any) -> Any:
    """``load_config`` on the server's config file, which may not exist yet (then: defaults)."""
    return load_config(
        config_path if config_path.is_file() else Path(os.devnull), sections=sections, **kw
    )


def _get(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def editor_state(config_path: Path, workdir: Path, host: Any) -> ConfigState:
    sections = host.config_sections()
    owners = {s.path: s.distribution or s.plugin for s in sections}
    model = build_settings_model(sections)
    defaults = model()
    load_error = None
    file_flat: dict[str, Any] = {}
    if config_path.is_file():
        try:
            file_flat = flatten(read_config_file(config_path))
        except ConfigError as exc:
            load_error = exc.one_line()
    try:
        env = env_overrides(model, dict(os.environ))
    except ConfigError as exc:
        env = {}
        load_error = load_error or exc.one_line()
    effective = None
    sources: dict[str, str] = {}
    if load_error is None:
        try:
            loaded = load_effective(config_path, sections)
            effective = loaded.settings
            sources = loaded.sources
        except ConfigError as exc:
            load_error = exc.one_line()

    grouped: dict[str, list[FieldView]] = {}
    for dotted, info in iter_fields(model):
        annotation = info.annotation
        extra = info.json_schema_extra
        multiline = isinstance(extra, dict) and bool(extra.get("multiline"))
        zh = extra.get("description_zh") if isinstance(extra, dict) else None
        control, options = control_for(dotted, annotation, host, multiline)
        secret = control == "password"
        default = _get(defaults, dotted)
        env_var = "CLIPORA_" + dotted.upper().replace(".", "__")
        in_file = dotted in file_flat
        eff = _get(effective, dotted) if effective is not None else None
        if secret:
            secret_set = bool(
                (in_file and file_flat[dotted])
                or (isinstance(eff, SecretStr) and eff.get_secret_value())
            )
            value = effective_value = None
            default_view = None
        else:
            secret_set = False
            value = _jsonable(file_flat[dotted]) if in_file else _jsonable(default)
            effective_value = _jsonable(eff) if effective is not None else value
            default_view = _jsonable(default)
        section_id = dotted.rsplit(".", 1)[0] if "." in dotted else dotted
        grouped.setdefault(section_id, []).append(
            FieldView(
                path=dotted,
                label=dotted.rsplit(".", 1)[-1].replace("_", " "),
                description=info.description or "",
                description_zh=zh if isinstance(zh, str) else "",
                control=control,
                options=options,
                value=value,
                in_file=in_file,
                default=default_view,
                effective_value=effective_value,
                source=sources.get(dotted, "file" if in_file else "default").split(":", 1)[0],
                env_var=env_var,
                env_override=dotted in env,
                secret=secret,
                secret_set=secret_set,
                nullable=_is_optional(annotation),
            )
        )
    views = []
    for section_id, fields in grouped.items():
        # The plugin whose section holds it (its sub-sections, e.g. an LLM provider, included).
        holders = [p for p in owners if section_id == p or section_id.startswith(p + ".")]
        owner = owners[max(holders, key=len)] if holders else ""
        title = section_id + (f" ({owner})" if owner else "")
        views.append(SectionView(id=section_id, title=title, fields=fields))
    return ConfigState(
        config_path=str(config_path),
        file_exists=config_path.is_file(),
        workdir=str(workdir),
        load_error=load_error,
        sections=views,
    )


# --- saving ------------------------------------------------------------------------------------


def _coerce(annotation: Any, raw: Any) -> Any:
    """A submitted value (form text or JSON) as the YAML value to store."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    inner = _inner(annotation)
    if text == "" and _is_optional(annotation):
        return None
    literal = _literal_values(annotation)
    if literal:
        return next((v for v in literal if str(v) == text), raw)
    if inner is bool:
        low = text.lower()
        if low in {"1", "true", "on", "yes"}:
            return True
        if low in {"0", "false", "off", "no", ""}:
            return False
        return raw
    if _is_list(annotation):
        if text.startswith("["):
            with contextlib.suppress(yaml.YAMLError):
                return yaml.safe_load(text)
        if _has_mapping_items(annotation):
            return [_line_item(line.strip()) for line in text.splitlines() if line.strip()]
        return [p.strip() for p in text.split(",") if p.strip()]
    kind = _number_kind(annotation)
    if kind is not None:
        try:
            return int(text) if kind is int else float(text)
        except ValueError:
            return raw  # validation reports it with the field's name
    return raw


def _line_item(line: str) -> Any:
    if line.startswith("{"):
        with contextlib.suppress(yaml.YAMLError):
            return yaml.safe_load(line)
    return line


def _delete(target: dict[str, Any], dotted: str) -> None:
    parts = dotted.split(".")
    chain = [target]
    for part in parts[:-1]:
        nxt = chain[-1].get(part)
        if not isinstance(nxt, dict):
            return
        chain.append(nxt)
    chain[-1].pop(parts[-1], None)
    for i in range(len(parts) - 1, 0, -1):  # prune emptied parents
        if not chain[i]:
            chain[i - 1].pop(parts[i - 1], None)


def save_config(config_path: Path, update: ConfigUpdate, host: Any) -> list[str]:
    """Apply ``update`` to the config file after validating the result. Returns changed keys.

    Raises ``ConfigError`` (nothing written) when a key is unknown or the result is invalid.
    """
    sections = host.config_sections()
    model = build_settings_model(sections)
    defaults = model()
    fields = dict(iter_fields(model))
    if config_path.is_file():
        read_config_file(config_path)  # one clear error for a missing, unreadable or bad file
        data = _load_roundtrip(config_path)
    else:
        data = {}
    file_flat = flatten(data)
    changed: list[str] = []
    for dotted, raw in update.values.items():
        info = fields.get(dotted)
        if info is None:
            raise ConfigError(f"unknown config key {dotted!r}")
        if is_secret(info.annotation):
            if raw is None or raw == "":
                continue  # empty keeps the stored secret
            set_dotted(data, dotted, str(raw))
            changed.append(dotted)
            continue
        value = _coerce(info.annotation, raw)
        current = file_flat[dotted] if dotted in file_flat else _jsonable(_get(defaults, dotted))
        if value == current or (isinstance(current, Path | str) and str(current) == value):
            continue
        set_dotted(data, dotted, value)
        changed.append(dotted)
    for dotted in update.clear_secrets:
        info = fields.get(dotted)
        if info is None or not is_secret(info.annotation):
            raise ConfigError(f"{dotted!r} is not a secret config key")
        if dotted in file_flat:
            _delete(data, dotted)
            changed.append(dotted)
    if not changed:
        return []
    problems = field_problems(model, data, host)
    if problems:
        raise ConfigInvalid(problems)
    text = _dump_roundtrip(data)
    _validate_text(config_path, text, sections)
    config_path.parent.mkdir(parents=True, exist_ok=True)
    if config_path.is_file():
        with contextlib.suppress(OSError):
            atomic_write_text(
                config_path.with_name(config_path.name + ".bak"),
                config_path.read_text(encoding="utf-8"),
            )
    atomic_write_text(config_path, text)
    return changed


def _roundtrip_yaml() -> Any:
    from ruamel.yaml import YAML

    rt = YAML()  # round-trip: keeps comments, key order and quoting of untouched values
    rt.preserve_quotes = True
    rt.width = 100
    rt.indent(mapping=2, sequence=4, offset=2)
    return rt


def _load_roundtrip(config_path: Path) -> dict[str, Any]:
    from ruamel.yaml.comments import CommentedMap

    data = _roundtrip_yaml().load(config_path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else CommentedMap()


def _dump_roundtrip(data: dict[str, Any]) -> str:
    import io

    buffer = io.StringIO()
    _roundtrip_yaml().dump(data, buffer)
    return buffer.getvalue()


def _validate_text(config_path: Path, text: str, sections: list[Any]) -> None:
    # Validate as the file it will become: same folder, so relative paths resolve the same way.
    folder = config_path.parent if config_path.parent.is_dir() else Path(tempfile.gettempdir())
    fd, tmp = tempfile.mkstemp(prefix=".clipora-web-", suffix=".yaml", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        load_config(Path(tmp), environ={}, sections=sections)
    except ConfigError as exc:
        # The file's name only: an error shown in a browser never names a server path.
        message = exc.message.replace(f"file:{tmp}", config_path.name).replace(
            tmp, config_path.name
        )
        raise ConfigError(message, hint=exc.hint) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


# --- validating --------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _ctx_text(value: Any) -> str:
    """A limit as a person writes it: 4, not 4.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _capability_problems(flat: dict[str, Any], host: Any) -> list[FieldProblem]:
    """A backend's name must be one the plugins registered: the model only knows it is text."""
    problems = []
    for path, kind in CAPABILITY_CHOICES.items():
        value = flat.get(path)
        if value in (None, "") or host is None:
            continue
        names = [c.name for c in host.capabilities(kind)]
        if str(value) not in names:
            problems.append(
                FieldProblem(
                    path=path,
                    type="literal_error",
                    message=f"Input should be {', '.join(repr(n) for n in names)}",
                    ctx={"expected": ", ".join(names)},
                )
            )
    return problems


def field_problems(model: type[BaseModel], data: dict[str, Any], host: Any) -> list[FieldProblem]:
    """Each value of ``data`` (the file to be written) that the settings model, the same one
    the CLI loads, refuses: enums, ranges, types, patterns and the registered backends."""
    from pydantic import ValidationError

    known = {dotted for dotted, _ in iter_fields(model)}
    problems = _capability_problems(flatten(data), host)
    seen = {p.path for p in problems}
    try:
        model.model_validate(_plain(data))
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = [str(part) for part in err["loc"]]
            path = next(
                (".".join(loc[:n]) for n in range(len(loc), 0, -1) if ".".join(loc[:n]) in known),
                None,
            )
            if path is None or path in seen:
                continue  # not a field (e.g. a moved key): the full load below explains it
            seen.add(path)
            ctx = {k: _ctx_text(v) for k, v in (err.get("ctx") or {}).items()}
            problems.append(FieldProblem(path=path, type=err["type"], message=err["msg"], ctx=ctx))
    return problems
