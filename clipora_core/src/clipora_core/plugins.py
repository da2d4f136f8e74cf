"""Finding, loading and querying plugins.

Each entry point of the ``clipora`` group is loaded on its own (as stevedore does): a plugin that
fails to import, or whose hooks raise while registering, is recorded with its error and skipped,
so one broken plugin never breaks the CLI. ``CLIPORA_STRICT_PLUGINS=1`` re-raises instead, for
plugin authors. ``CLIPORA_LOAD_PLUGINS`` (comma-separated allowlist of plugin or distribution
names; empty loads none) and ``CLIPORA_DISABLE_PLUGINS`` (blocklist) choose what loads.
"""

from __future__ import annotations

import difflib
import os
import traceback
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy

from clipora_core import hookspecs
from clipora_core.capabilities import (
    HOOK_FOR_KIND,
    INTERFACE_FOR_KIND,
    Capability,
    ConfigDefault,
    ConfigSection,
    InstallHint,
    Kind,
)
from clipora_core.errors import CapabilityNotFound, ConfigError, PluginError, StageError

if TYPE_CHECKING:
    from clipora_core.runtime import PluginRuntime

GROUP = "clipora"


@dataclass
class PluginRecord:
    name: str
    distribution: str = ""
    version: str = ""
    module: str = ""
    hooks: list[str] = field(default_factory=list)
    capabilities: list[Capability] = field(default_factory=list)
    config_sections: list[str] = field(default_factory=list)
    error: str | None = None
    disabled: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "plugin": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "module": self.module,
            "hooks": self.hooks,
            "capabilities": [c.summary() for c in self.capabilities],
            "config_sections": self.config_sections,
            "error": self.error,
            "disabled": self.disabled,
        }


def _csv_env(name: str) -> set[str] | None:
    raw = os.environ.get(name)
    if raw is None:
        return None
    return {p.strip() for p in raw.split(",") if p.strip()}


def _strict() -> bool:
    return os.environ.get("CLIPORA_STRICT_PLUGINS", "").strip().lower() in {"1", "true", "yes"}


class PluginHost:
    """The plugin manager plus the registry of what the plugins registered."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.records: dict[str, PluginRecord] = {}
        self._capabilities: dict[tuple[Kind, str], Capability] = {}
        # Keyed by path: a section belongs to one plugin (its namespace).
        self._sections: dict[str, ConfigSection] = {}
        self._hints: dict[tuple[Kind, str], str] = {}
        self._defaults: dict[str, ConfigDefault] = {}
        self._collected = False

    # --- loading ------------------------------------------------------------------------------

    def load_entrypoints(self, eps: list[EntryPoint] | None = None) -> None:
        allow = _csv_env("CLIPORA_LOAD_PLUGINS")
        deny = _csv_env("CLIPORA_DISABLE_PLUGINS") or set()
        if eps is None:
            eps = sorted(entry_points(group=GROUP), key=lambda e: e.name)
        for ep in eps:
            dist = ep.dist.name if ep.dist else ""
            version = ep.dist.version if ep.dist else ""
            record = PluginRecord(name=ep.name, distribution=dist, version=version, module=ep.value)
            names = {ep.name, dist}
            if (allow is not None and not names & allow) or names & deny:
                record.disabled = True
                self.records[ep.name] = record
                continue
            try:
                module = ep.load()
                self.pm.register(module, name=ep.name)
                self._check_hooks(module, ep.name)
            except Exception as exc:  # noqa: BLE001 - any import failure is the plugin's
                if _strict():
                    raise
                record.error = _describe(exc)
            self.records[ep.name] = record
        self._collected = False

    def register_plugin(
        self, plugin: object, name: str, distribution: str = "", version: str = ""
    ) -> None:
        """Register an in-process plugin object (tests, ``clipora_core.testing``)."""
        self.pm.register(plugin, name=name)
        self._check_hooks(plugin, name)
        self.records[name] = PluginRecord(
            name=name, distribution=distribution, version=version, module=_module_name(plugin)
        )
        self._collected = False

    def _check_hooks(self, plugin: object, name: str) -> None:
        """A hook implementation with no matching spec (a misspelt name) would never be called:
        refuse the plugin, as pluggy's ``check_pending`` does, but for this plugin alone."""
        unknown = sorted(h.name for h in self.pm.get_hookcallers(plugin) or [] if h.spec is None)
        if not unknown:
            return
        self.pm.unregister(plugin)
        known = [h for h in dir(hookspecs) if h.startswith("register_")]
        parts = []
        for hook in unknown:
            close = difflib.get_close_matches(hook, known, n=1)
            parts.append(f"{hook!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise PluginError(f"plugin {name!r} implements unknown hook {', '.join(parts)}")

    def unregister_plugin(self, name: str) -> None:
        plugin = self.pm.get_plugin(name)
        if plugin is not None:
            self.pm.unregister(plugin)
        self.records.pop(name, None)
        self._collected = False

    # --- collecting registrations -------------------------------------------------------------

    def _collect(self) -> None:
        if self._collected:
            return
        self._capabilities.clear()
        self._sections.clear()
        self._hints.clear()
        self._defaults.clear()
        for record in self.records.values():
            record.capabilities = []
            record.config_sections = []
            record.hooks = []
        # In name order, whatever the order they were registered in: the first wins a tie.
        for name, plugin in sorted(self.pm.list_name_plugin(), key=lambda np: np[0]):
            record = self.records.setdefault(name, PluginRecord(name=name))
            record.hooks = sorted(h.name for h in self.pm.get_hookcallers(plugin) or [])
            try:
                self._collect_plugin(plugin, record)
            except Exception as exc:  # noqa: BLE001
                if _strict():
                    raise
                record.error = _describe(exc)
                # Roll back whatever this plugin half-registered.
                self._capabilities = {
                    k: c for k, c in self._capabilities.items() if c.plugin != record.name
                }
                self._sections = {
                    k: s for k, s in self._sections.items() if s.plugin != record.name
                }
                record.capabilities = []
                record.config_sections = []
        self._collected = True

    def _collect_plugin(self, plugin: object, record: PluginRecord) -> None:
        for kind, hook_name in HOOK_FOR_KIND.items():
            impl = getattr(plugin, hook_name, None)
            if impl is None or hook_name not in record.hooks:
                continue

            def register(cap: Capability, _kind: Kind = kind, hook_name: str = hook_name) -> None:
                if not isinstance(cap, Capability):
                    raise PluginError(f"{hook_name} must register Capability objects")
                if cap.kind != _kind:
                    raise PluginError(
                        f"{hook_name} registered a capability of kind {cap.kind.value!r}"
                    )
                cap = cap.with_owner(record.name, record.distribution, record.version)
                key = (cap.kind, cap.name)
                if key in self._capabilities:
                    other = self._capabilities[key].plugin
                    raise PluginError(
                        f"{cap.kind.value} {cap.name!r} is already registered by {other}"
                    )
                self._capabilities[key] = cap
                record.capabilities.append(cap)

            impl(register=register)

        if "register_config_sections" in record.hooks:

            def register_section(section: ConfigSection) -> None:
                if not isinstance(section, ConfigSection):
                    raise PluginError(
                        "register_config_sections must register ConfigSection objects"
                    )
                section = section.with_owner(record.name, record.distribution)
                other = self._sections.get(section.path)
                if other is not None:
                    raise PluginError(
                        f"config section {section.path!r} is already registered by {other.plugin}"
                    )
                self._sections[section.path] = section
                record.config_sections.append(section.path)

            plugin.register_config_sections(register=register_section)  # type: ignore[attr-defined]

        if "register_install_hints" in record.hooks:

            def register_hint(hint: InstallHint) -> None:
                if not isinstance(hint, InstallHint):
                    raise PluginError("register_install_hints must register InstallHint objects")
                self._hints.setdefault((hint.kind, hint.name), hint.distribution)

            plugin.register_install_hints(register=register_hint)  # type: ignore[attr-defined]

        if "register_defaults" in record.hooks:

            def register_default(default: ConfigDefault) -> None:
                if not isinstance(default, ConfigDefault):
                    raise PluginError("register_defaults must register ConfigDefault objects")
                owned = default.with_owner(record.name, record.distribution)
                self._defaults.setdefault(default.path, owned)  # plugins load in name order

            plugin.register_defaults(register=register_default)  # type: ignore[attr-defined]

    # --- queries ------------------------------------------------------------------------------

    def capabilities(self, kind: Kind | None = None) -> list[Capability]:
        self._collect()
        caps = list(self._capabilities.values())
        if kind is not None:
            caps = [c for c in caps if c.kind == kind]
        return sorted(caps, key=lambda c: (c.kind.value, c.name))

    def get(self, kind: Kind, name: str, config_key: str = "") -> Capability:
        self._collect()
        if not name:
            raise self._none_chosen(Kind(kind), config_key)
        cap = self._capabilities.get((Kind(kind), name))
        if cap is None:
            raise self._not_found(Kind(kind), name, config_key)
        return cap

    def _none_chosen(self, kind: Kind, config_key: str) -> ConfigError:
        available = sorted(c.name for c in self._capabilities.values() if c.kind == kind)
        label = kind.value.replace("_", " ")
        where = f"set {config_key}" if config_key else "choose one in the config"
        if available:
            hint = f"{where} to one of: {', '.join(available)}"
        else:
            hint = f"install a plugin that provides a {label} (the clipora package has them all), then {where}"
        return ConfigError(f"no {label} is chosen and no plugin gives a default", hint=hint)

    def _not_found(self, kind: Kind, name: str, config_key: str) -> CapabilityNotFound:
        available = sorted(c.name for c in self._capabilities.values() if c.kind == kind)
        dist = self._hints.get((kind, name))
        where = f" (config {config_key})" if config_key else ""
        msg = f"{kind.value.replace('_', ' ')} {name!r}{where} is not installed"
        failed = [r for r in self.records.values() if r.error and dist and r.distribution == dist]
        if failed:
            msg += f"; its plugin failed to load: {failed[0].error}"
        hint = (
            f"install it with: uv pip install {dist}"
            if dist
            else "install a plugin that provides it"
        )
        if available:
            hint += f"; available: {', '.join(available)}"
        return CapabilityNotFound(msg, hint=hint)

    def create(
        self,
        kind: Kind,
        name: str,
        settings: Any,
        runtime: PluginRuntime | None = None,
        config_key: str = "",
    ) -> Any:
        """Build the capability's object: ``factory(options, runtime)``, where ``options`` is
        the config section the capability names (None when it names none)."""
        from clipora_core.runtime import PluginRuntime

        cap = self.get(kind, name, config_key)
        owner = cap.distribution or cap.plugin
        try:
            factory = cap.load()
        except ImportError as exc:
            raise StageError(
                f"{cap.kind.value} {name!r} from {owner} failed to import: {exc}",
                hint=f"reinstall {owner or 'the plugin'}",
            ) from exc
        obj = factory(options_for(cap, settings), runtime or PluginRuntime.from_settings(settings))
        interface = INTERFACE_FOR_KIND[cap.kind]
        if not isinstance(obj, interface):
            raise PluginError(
                f"{cap.kind.value} {name!r} from {owner}: its factory made a "
                f"{type(obj).__name__}, which does not subclass clipora_core.api.{interface.__name__}",
                hint=f"update {owner or 'the plugin'}",
            )
        return obj

    def config_sections(self) -> list[ConfigSection | ConfigDefault]:
        """Plugin config sections, then the defaults plugins give the kernel's settings (both
        shape the settings model: ``config.build_settings_model``)."""
        self._collect()
        self._refuse_kernel_sections()
        sections: list[ConfigSection | ConfigDefault] = sorted(
            self._sections.values(), key=lambda s: s.path
        )
        return sections + sorted(self._defaults.values(), key=lambda d: d.path)

    def _refuse_kernel_sections(self) -> None:
        """A plugin's options get a section of their own: one registered at a kernel section's
        path is dropped and the plugin marked with the error. Checked here rather than while
        collecting, because knowing the kernel's sections imports pydantic, which
        ``clipora --help`` does not pay for."""
        core = _core_section_paths()
        for path, section in list(self._sections.items()):
            if path not in core:
                continue
            del self._sections[path]
            record = self.records.get(section.plugin)
            if record is None:
                continue
            record.config_sections = [p for p in record.config_sections if p != path]
            if record.error is None:
                record.error = (
                    f"PluginError: config section {path!r} is the kernel's; a plugin's "
                    f"options need a section of their own (e.g. {path}.{section.plugin})"
                )
                if _strict():
                    raise PluginError(record.error)

    def plugin_list(self) -> list[PluginRecord]:
        self._collect()
        self._refuse_kernel_sections()
        return sorted(self.records.values(), key=lambda r: r.name)

    def load_errors(self) -> list[PluginRecord]:
        return [r for r in self.plugin_list() if r.error]

    def commands(self, cli: Any) -> None:
        # Each plugin on its own (one pluggy call would stop at the first failure and hide every
        # later plugin's commands); a failure is recorded like a load error.
        for impl in self.pm.hook.register_commands.get_hookimpls():
            try:
                impl.function(cli=cli)
            except Exception as exc:  # noqa: BLE001 - a broken command plugin must not break the CLI
                if _strict():
                    raise
                record = self.records.setdefault(impl.plugin_name, PluginRecord(impl.plugin_name))
                record.error = _describe(exc)


def options_for(cap: Capability, settings: Any) -> Any:
    """The validated section a capability's factory receives (None without ``options``)."""
    if cap.options is None or settings is None:
        return None
    node = settings
    for part in cap.options.split("."):
        node = getattr(node, part, None)
        if node is None:
            raise PluginError(
                f"{cap.kind.value} {cap.name!r} reads config section {cap.options!r}, which no "
                "installed plugin registers",
                hint=f"update {cap.distribution or cap.plugin or 'the plugin'}",
            )
    return node


def _core_section_paths() -> frozenset[str]:
    from clipora_core.settings import core_section_paths

    return core_section_paths()


def _describe(exc: BaseException) -> str:
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" ({last[0].filename}:{last[0].lineno})" if last else ""
    return f"{type(exc).__name__}: {exc}{where}"


def _module_name(plugin: object) -> str:
    if isinstance(plugin, ModuleType):
        return plugin.__name__
    return f"{type(plugin).__module__}.{type(plugin).__qualname__}"


_host: PluginHost | None = None


def get_host() -> PluginHost:
    """The process-wide host, loaded from entry points on first use."""
    global _host
    if _host is None:
        host = PluginHost()
        host.load_entrypoints()
        _host = host
    return _host


def set_host(host: PluginHost | None) -> None:
    global _host
    _host = host
