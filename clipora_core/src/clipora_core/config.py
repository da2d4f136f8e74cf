"""Effective configuration: YAML file < ``CLIPORA_<SECTION>__<KEY>`` environment < command line.

The settings model is composed at run time from the core sections and every plugin's
``ConfigSection``; unknown keys anywhere are errors that name the key, where it came from and the
closest valid key. Secret fields (``SecretStr``) never appear in output or errors.
"""

from __future__ import annotations

import difflib
import os
import types
import typing
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, SecretStr, ValidationError, create_model

from clipora_core.capabilities import ConfigDefault
from clipora_core.errors import ConfigError
from clipora_core.settings import CORE_SECTIONS, Section

ENV_PREFIX = "CLIPORA_"
DEFAULT_SOURCE = "default"


def default_config_path() -> Path:
    env = os.environ.get("CLIPORA_CONFIG")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("clipora")) / "clipora.yaml"


# --- model composition -----------------------------------------------------------------------


def build_settings_model(sections: list[Any] | None = None) -> type[BaseModel]:
    """Compose the settings model from core sections plus plugin ``ConfigSection``s."""
    tree: dict[str, list[type[BaseModel]]] = {}

    def seed(path: str, model: type[BaseModel]) -> None:
        # Nested core sections become nodes too, so plugins can hang sections below them.
        tree[path] = [model]
        for name, info in model.model_fields.items():
            sub = _submodel(info.annotation)
            if sub is not None and issubclass(sub, Section):
                seed(f"{path}.{name}", sub)

    for p, m in CORE_SECTIONS.items():
        seed(p, m)
    defaults: dict[str, dict[str, Any]] = {}
    moved: dict[str, str] = {}
    retired: dict[str, str] = {}
    for section in sections or []:
        if isinstance(section, ConfigDefault):
            parent, _, key = section.path.rpartition(".")
            defaults.setdefault(parent, {}).setdefault(key, section.value)
            continue
        model = section.resolve() if hasattr(section, "resolve") else section.model
        if section.path in tree:
            raise ConfigError(f"config section {section.path!r} is defined twice")
        tree[section.path] = [model]
        moved.update(getattr(section, "moved", {}) or {})
        retired.update(getattr(section, "retired", {}) or {})

    def build(path: str) -> type[BaseModel]:
        bases = tree.get(path, [])
        children = sorted(
            p for p in tree if p.startswith(path + ".") and "." not in p[len(path) + 1 :]
        )
        fields: dict[str, Any] = {}
        for child in children:
            model = build(child)
            fields[child.rsplit(".", 1)[1]] = (model, Field(default_factory=model))
        # A child section may replace a kernel sub-section (adding the plugins' sections below
        # it), never a plain field.
        own = bases[0].model_fields if bases else {}
        clash = sorted(f for f in fields if f in own and _submodel(own[f].annotation) is None)
        if clash:
            raise ConfigError(f"config section {path!r}: {clash} is a field, not a section")
        name = "Settings_" + path.replace(".", "_")
        base: Any = bases[0] if bases else Section
        model = create_model(name, __base__=base, **fields)
        return _with_defaults(model, defaults.get(path, {}))

    top_fields: dict[str, Any] = {}
    for path in sorted({p.split(".")[0] for p in tree}, key=_section_order):
        model = build(path)
        top_fields[path] = (model, Field(default_factory=model))
    settings_model = create_model("CliporaSettings", __base__=Section, **top_fields)
    _MOVED[settings_model] = moved
    _RETIRED[settings_model] = retired
    return settings_model


# Keys plugins moved (old dotted path -> new), per composed settings model.
_MOVED: weakref.WeakKeyDictionary[type[BaseModel], dict[str, str]] = weakref.WeakKeyDictionary()
# Keys plugins no longer read (dotted path -> why).
_RETIRED: weakref.WeakKeyDictionary[type[BaseModel], dict[str, str]] = weakref.WeakKeyDictionary()


def _moved_to(model: type[BaseModel], dotted: str) -> str | None:
    """Where an old key now lives, when a plugin moved it (or a section holding it)."""
    moved = _MOVED.get(model, {})
    parts = dotted.split(".")
    for n in range(len(parts), 0, -1):
        old = ".".join(parts[:n])
        if old in moved:
            return ".".join([moved[old], *parts[n:]])
    return None


def _with_defaults(model: type[BaseModel], values: dict[str, Any]) -> type[BaseModel]:
    """The section with the defaults plugins gave (``register_defaults``) for its fields."""
    overrides: dict[str, Any] = {}
    for key, value in values.items():
        info = model.model_fields.get(key)
        if info is None:
            raise ConfigError(f"a plugin gives a default for {key!r}, which no section defines")
        # Selector fields are plain names or lists of names: their help (the description and
        # json_schema_extra, which holds the Chinese help) is all they carry.
        overrides[key] = (
            info.annotation,
            Field(
                default=value,
                description=info.description,
                json_schema_extra=info.json_schema_extra,
            ),
        )
    if not overrides:
        return model
    return create_model(model.__name__, __base__=model, **overrides)


def _section_order(name: str) -> tuple[int, str]:
    order = list(CORE_SECTIONS)
    return (order.index(name) if name in order else len(order), name)


def _submodel(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _is_path(annotation: Any) -> bool:
    if annotation is Path:
        return True
    return any(a is Path for a in typing.get_args(annotation))


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, set, tuple):
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_is_list(a) for a in typing.get_args(annotation))
    return False


def is_secret(annotation: Any) -> bool:
    return annotation is SecretStr or SecretStr in typing.get_args(annotation)


def iter_fields(model: type[BaseModel], prefix: str = ""):
    """Yield (dotted path, FieldInfo) for every leaf field of a settings model."""
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        sub = _submodel(info.annotation)
        if sub is not None and issubclass(sub, Section):
            yield from iter_fields(sub, path + ".")
        else:
            yield path, info


def field_at(model: type[BaseModel], dotted: str) -> Any:
    current: type[BaseModel] | None = model
    info = None
    for part in dotted.split("."):
        if current is None or part not in current.model_fields:
            return None
        info = current.model_fields[part]
        current = _submodel(info.annotation)
    return info


# --- sources -----------------------------------------------------------------------------------


def _check_keys(
    model: type[BaseModel],
    data: Any,
    where: str,
    prefix: str = "",
    top: type[BaseModel] | None = None,
) -> None:
    if not isinstance(data, dict):
        return
    top = top or model
    fields = model.model_fields
    for key, value in data.items():
        path = f"{prefix}{key}"
        if key not in fields:
            leaf = path
            if isinstance(value, dict) and value:
                leaf = f"{path}.{next(iter(flatten(value)))}"
            why = _RETIRED.get(top, {}).get(leaf)
            if why is not None:
                raise ConfigError(
                    f"config key {leaf!r} in {where} is no longer used: {why}", hint="remove it"
                )
            new = _moved_to(top, leaf)
            if new is not None:
                if where.startswith("environment variable"):
                    hint = f"use {ENV_PREFIX}{new.upper().replace('.', '__')} instead"
                else:
                    hint = f"rename it to {new}"
                raise ConfigError(f"config key {leaf!r} in {where} has moved to {new!r}", hint=hint)
            all_keys = {p: p for p, _ in iter_fields(model, prefix)}
            all_keys.update({f"{prefix}{k}": f"{prefix}{k}" for k in fields})
            # A misspelt old key ("render.crff") is closest to where that key lives now.
            all_keys.update(
                {old: new for old, new in _MOVED.get(top, {}).items() if old.startswith(prefix)}
            )
            close = difflib.get_close_matches(path, list(all_keys), n=1, cutoff=0.5)
            hint = f"did you mean {all_keys[close[0]]!r}?" if close else "see `clipora config init`"
            raise ConfigError(f"unknown config key {path!r} in {where}", hint=hint)
        sub = _submodel(fields[key].annotation)
        if sub is not None and issubclass(sub, Section):
            if value is not None and not isinstance(value, dict):
                raise ConfigError(f"config key {path!r} in {where} must be a mapping")
            _check_keys(sub, value, where, path + ".", top)


def _drop_empty_sections(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    # "asr:" with every key commented out is YAML null: an empty section, not an invalid one.
    out: dict[str, Any] = {}
    for key, value in data.items():
        info = model.model_fields.get(key)
        sub = _submodel(info.annotation) if info is not None else None
        if sub is not None and issubclass(sub, Section):
            if value is None:
                continue
            if isinstance(value, dict):
                value = _drop_empty_sections(sub, value)
        out[key] = value
    return out


def set_dotted(target: dict, dotted: str, value: Any) -> None:
    """``set_dotted(d, "a.b", 1)`` -> ``d == {"a": {"b": 1}}`` (creating mappings on the way)."""
    parts = dotted.split(".")
    for part in parts[:-1]:
        nxt = target.get(part)
        if not isinstance(nxt, dict):
            nxt = {}
            target[part] = nxt
        target = nxt
    target[parts[-1]] = value


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mapping -> {dotted key: leaf value} (empty mappings stay leaves)."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            if isinstance(v, dict) and v:
                out.update(flatten(v, f"{prefix}{k}."))
            else:
                out[f"{prefix}{k}"] = v
    return out


def _coerce_text(model: type[BaseModel], dotted: str, raw: str) -> Any:
    info = field_at(model, dotted)
    if info is not None and _is_list(info.annotation):
        text = raw.strip()
        if text.startswith("["):
            return yaml.safe_load(text)
        return [p.strip() for p in text.split(",") if p.strip()]
    return raw


def env_overrides(model: type[BaseModel], environ: dict[str, str]) -> dict[str, tuple[Any, str]]:
    """``CLIPORA_ASR__MODE=cloud`` -> {"asr.mode": ("cloud", "env:CLIPORA_ASR__MODE")}."""
    out: dict[str, tuple[Any, str]] = {}
    for name, raw in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        dotted = name[len(ENV_PREFIX) :].lower().replace("__", ".")
        probe: dict = {}
        set_dotted(probe, dotted, raw)
        _check_keys(model, probe, f"environment variable {name}")
        out[dotted] = (_coerce_text(model, dotted, raw), f"env:{name}")
    return out


def parse_cli_overrides(model: type[BaseModel], items: list[str]) -> dict[str, tuple[Any, str]]:
    """``--set asr.mode=cloud`` pairs."""
    out: dict[str, tuple[Any, str]] = {}
    for item in items:
        if "=" not in item:
            raise ConfigError(
                f"--set expects KEY=VALUE, got {item!r}", hint="e.g. --set asr.mode=local"
            )
        key, _, raw = item.partition("=")
        key = key.strip()
        probe: dict = {}
        set_dotted(probe, key, raw)
        _check_keys(model, probe, "--set")
        out[key] = (_coerce_text(model, key, raw), f"cli:--set {key}")
    return out


def upgrade_job_sets(model: type[BaseModel], items: list[str]) -> list[str]:
    """A job's remembered ``--set`` values as this version reads them: a key a plugin has moved
    is renamed, a retired one left out. The user typed them for an older version; only their
    own new ``--set`` values are refused for an old key."""
    out: list[str] = []
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep:
            continue
        if key in _RETIRED.get(model, {}):
            continue
        if field_at(model, key) is None:
            moved = _moved_to(model, key)
            if moved is not None:
                item = f"{moved}={raw}"
        out.append(item)
    return out


# --- loading -----------------------------------------------------------------------------------


@dataclass
class LoadedConfig:
    settings: Any
    model: type[BaseModel]
    path: Path | None
    sources: dict[str, str] = field(default_factory=dict)
    file_data: dict[str, Any] = field(default_factory=dict)

    def get(self, dotted: str) -> Any:
        value: Any = self.settings
        for part in dotted.split("."):
            value = getattr(value, part)
        return value

    def source(self, dotted: str) -> str:
        return self.sources.get(dotted, DEFAULT_SOURCE)


def read_config_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(
            f"config file not found: {path}", hint="create one with `clipora config init`"
        ) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"config file {path} is not valid YAML{where}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must contain a mapping at the top level")
    return data


def load_config(
    config_path: Path | None = None,
    *,
    overrides: dict[str, Any] | None = None,
    cli_set: list[str] | None = None,
    environ: dict[str, str] | None = None,
    sections: list[Any] | None = None,
    job_set: list[str] | None = None,
) -> LoadedConfig:
    """Load and validate the effective config.

    ``overrides`` is a dotted-key mapping from command-line options (e.g. ``--force``-style
    switches or web per-job choices); ``cli_set`` holds raw ``--set KEY=VALUE`` strings;
    ``job_set`` the ones a job remembers from earlier commands (applied first, old keys
    upgraded: see ``upgrade_job_sets``).
    """
    if sections is None:
        from clipora_core.plugins import get_host

        sections = get_host().config_sections()
    model = build_settings_model(sections)
    environ = dict(os.environ if environ is None else environ)

    explicit = config_path is not None
    path = Path(config_path).expanduser() if config_path is not None else default_config_path()
    file_data: dict[str, Any] = {}
    if explicit or path.is_file():
        file_data = read_config_file(path)
        _check_keys(model, file_data, str(path))
        file_data = _drop_empty_sections(model, file_data)
    base_dir = path.resolve().parent

    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for dotted, value in flatten(file_data).items():
        set_dotted(merged, dotted, _resolve_path(model, dotted, value, base_dir))
        sources[dotted] = f"file:{path}"
    layered = env_overrides(model, environ)
    layered.update(parse_cli_overrides(model, upgrade_job_sets(model, job_set or [])))
    layered.update(parse_cli_overrides(model, cli_set or []))
    for dotted, value in (overrides or {}).items():
        probe: dict = {}
        set_dotted(probe, dotted, value)
        _check_keys(model, probe, "command line")
        layered[dotted] = (value, "cli")
    for dotted, (value, source) in layered.items():
        set_dotted(merged, dotted, _resolve_path(model, dotted, value, Path.cwd()))
        sources[dotted] = source

    try:
        settings = model.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(_describe_validation(exc, sources)) from None
    return LoadedConfig(
        settings, model, path if (explicit or path.is_file()) else None, sources, file_data
    )


def _resolve_path(model: type[BaseModel], dotted: str, value: Any, base: Path) -> Any:
    info = field_at(model, dotted)
    if info is None or not _is_path(info.annotation) or value in (None, ""):
        return None if value == "" and info is not None and _is_path(info.annotation) else value
    p = Path(str(value)).expanduser()
    return p if p.is_absolute() else (base / p)


def _describe_validation(exc: ValidationError, sources: dict[str, str]) -> str:
    # Never echo the input value: it may be a secret.
    parts = []
    for err in exc.errors()[:3]:
        dotted = ".".join(str(p) for p in err["loc"])
        src = sources.get(dotted)
        where = f" (from {src})" if src else ""
        parts.append(f"{dotted}: {err['msg']}{where}")
    return "invalid config: " + "; ".join(parts)


def config_fingerprint_data(settings: Any, prefixes: list[str]) -> dict[str, Any]:
    """The slice of config under ``prefixes`` (JSON-safe, secrets masked) for fingerprints."""
    dumped = settings.model_dump(mode="json")
    flat = flatten(dumped)
    out = {}
    for key in sorted(flat):
        if any(key == p or key.startswith(p + ".") for p in prefixes):
            out[key] = flat[key]
    return out


def remember_sets(model: type[BaseModel], stored: list[str], new: list[str]) -> list[str]:
    """Merge ``--set KEY=VALUE`` lists (later wins, one entry per key), leaving out secrets:
    they must never be written into a job folder."""
    merged: dict[str, str] = {}
    for item in [*upgrade_job_sets(model, stored), *new]:
        key, sep, _ = item.partition("=")
        key = key.strip()
        if not sep:
            continue
        info = field_at(model, key)
        if info is not None and is_secret(info.annotation):
            continue
        merged.pop(key, None)
        merged[key] = item
    return list(merged.values())
