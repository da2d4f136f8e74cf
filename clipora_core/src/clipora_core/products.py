"""The seller's product list: read from a .txt, .csv, .yaml or .json file, or the config's inline
``analysis.products`` (a job keeps its copy: ``JobWorkspace.store_products``).

Every problem is an ``InputError`` naming the file and the line, because sellers edit these
lists by hand or export them from spreadsheets, and "line 7" is what lets them fix it.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from clipora_core.contracts import Product, ProductList
from clipora_core.errors import ConfigError, InputError
from clipora_core.linetrees import Node, TreeError, json_tree, yaml_tree

SUFFIXES = (".txt", ".csv", ".yaml", ".yml", ".json")
# A product list is a few KB; anything this big is the wrong file (a video, a whole export).
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_PRODUCTS = 2000
# Values a YAML/JSON file may expand to: YAML aliases can multiply a small file.
MAX_NODES = 200_000

SUFFIX_HINT = "use .txt, .csv, .yaml, .yml or .json; save a spreadsheet as CSV"
TXT_HINT = "write one product a line: name | alias | alias"
TIME_HINT = "write seconds (90) or mm:ss / hh:mm:ss (1:30)"
PRICE_HINT = "write it like 129, ¥129, 129.9 or 129元"
ALIAS_SPLIT = re.compile(r"[|｜;；、]")
NAME_SPLIT = re.compile(r"[|｜]")
# Column (csv) and key (yaml/json) names, matched case-insensitively.
FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("name", "product", "商品名", "商品名称", "名称", "商品"),
    "aliases": ("aliases", "alias", "别名"),
    "price": ("price", "价格", "售价"),
    "start": ("start", "start_seconds", "开始", "开始时间"),
    "end": ("end", "end_seconds", "结束", "结束时间"),
}
_FIELD_OF = {alias.casefold(): key for key, names in FIELDS.items() for alias in names}
_PRICE = re.compile(
    r"(?:[¥￥$]|rmb|cny|usd)?\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*(?:元|块|rmb|cny|usd)?",
    re.IGNORECASE,
)


class ProductError(InputError):
    """A product list that cannot be used; the message names the file and line."""


# --- building the list -------------------------------------------------------------------------


@dataclass
class _Collector:
    where: str  # what messages call the input: a file name, or "analysis.products"
    unit: str = "line"
    error: type[InputError] | type[ConfigError] = ProductError
    products: list[Product] = field(default_factory=list)
    first: dict[str, int] = field(default_factory=dict)

    def fail(self, at: int | None, message: str, hint: str = "") -> InputError | ConfigError:
        where = f"{self.where} {self.unit} {at}" if at else self.where
        return self.error(f"{where}: {message}", hint=hint)

    def add(
        self,
        at: int,
        name: str,
        aliases: list[str] | None = None,
        price: float | None = None,
        start: float | None = None,
        end: float | None = None,
    ) -> None:
        name = name.strip()
        if not name:
            raise self.fail(at, "missing product name", hint=TXT_HINT)
        key = name.casefold()
        if key in self.first:
            raise self.fail(
                at,
                f"duplicate product {name!r} (first on {self.unit} {self.first[key]})",
                hint="keep one entry; put other names of the product after '|' as aliases",
            )
        if start is not None and end is not None and end <= start:
            word = "before" if end < start else "the same as"
            raise self.fail(
                at,
                f"end {_clock(end)} is {word} start {_clock(start)}",
                hint="the end marker must come after the start marker",
            )
        if len(self.products) >= MAX_PRODUCTS:
            raise self.fail(at, f"more than {MAX_PRODUCTS} products", hint="split the list")
        try:
            product = Product(
                name=name,
                aliases=aliases or [],
                price=price,
                start_seconds=start,
                end_seconds=end,
            )
        except ValidationError as exc:
            raise self.fail(at, exc.errors()[0]["msg"], hint=TXT_HINT) from None
        self.first[key] = at
        self.products.append(product)

    def empty(self) -> InputError | ConfigError:
        return self.error(f"{self.where} has no products", hint=TXT_HINT)

    def result(self, source: str) -> ProductList:
        if not self.products:
            raise self.empty()
        return ProductList(source=source, products=self.products)


def _clock(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:g}s"
    whole = int(seconds)
    frac = f"{seconds - whole:.3f}".rstrip("0").rstrip(".")[1:]
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    text = f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
    return text + frac


def parse_price(raw: Any) -> float | None:
    """``129``, ``¥129``, ``￥129.9``, ``$29.99``, ``129元``, ``1,299`` -> a number; None if empty.
    Raises ValueError for anything else."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        match = _PRICE.fullmatch(str(raw).strip())
        if match is None:
            raise ValueError(raw)
        value = float(match.group(1).replace(",", ""))
    if not math.isfinite(value) or value < 0:
        raise ValueError(raw)
    return value


def parse_seconds(raw: Any) -> float | None:
    """Seconds (``90``, ``90.5``) or a clock (``1:30``, ``01:02:03``, ``1:30.5``); None if
    empty. Raises ValueError for anything else."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        text = str(raw).strip()
        parts = text.split(":")
        if len(parts) > 3 or not all(re.fullmatch(r"\d+", p) for p in parts[:-1]):
            raise ValueError(raw)
        if not re.fullmatch(r"\d+(?:\.\d+)?", parts[-1]):
            raise ValueError(raw)
        units = [float(p) for p in parts]
        # Minutes may run past 59 in mm:ss (a 3-hour stream at 125:00), never in hh:mm:ss.
        if (len(units) > 1 and units[-1] >= 60) or (len(units) == 3 and units[1] >= 60):
            raise ValueError(raw)
        value = 0.0
        for unit in units:
            value = value * 60 + unit
    if not math.isfinite(value) or value < 0:
        raise ValueError(raw)
    return value


# --- files -------------------------------------------------------------------------------------


def load_products(path: Path, name: str | None = None, setting: str = "--products") -> ProductList:
    """Parse a product list file. ``name`` is what messages and ``source`` call it (default: the
    file name, never the folder); ``setting`` is what a not-found hint tells the user to fix."""
    path = Path(path)
    where = name or path.name
    try:
        if path.is_dir():
            raise ProductError(f"{path} is a folder, not a product list", hint=f"check {setting}")
        size = path.stat().st_size
        if path.suffix.lower() not in SUFFIXES:
            raise ProductError(
                f"{where}: unsupported product list type {path.suffix.lower() or '(none)'!r}",
                hint=SUFFIX_HINT,
            )
        if size > MAX_FILE_BYTES:
            raise ProductError(
                f"{where} is {size / 1e6:.1f} MB; a product list is a small text file",
                hint=f"check {setting}",
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise ProductError(f"product list not found: {path}", hint=f"check {setting}") from None
    except PermissionError:
        raise ProductError(
            f"cannot read product list {path}: permission denied", hint="fix its permissions"
        ) from None
    except OSError as exc:
        raise ProductError(f"cannot read product list {path}: {exc.strerror or exc}") from None
    return parse_products(data, path.suffix.lower(), where)


def parse_products(data: bytes, suffix: str, where: str) -> ProductList:
    """Parse a product list's bytes as the format ``suffix`` names."""
    text = _decode(data, where).replace("\r\n", "\n").replace("\r", "\n")
    collector = _Collector(where)
    try:
        if suffix == ".txt":
            _parse_txt(text, collector)
        elif suffix == ".csv":
            _parse_csv(text, collector)
        elif suffix in (".yaml", ".yml", ".json"):
            source = _parse_tree(_tree(text, suffix, collector), collector)
            return collector.result(source or where)
        else:
            raise ProductError(
                f"{where}: unsupported product list type {suffix!r}", hint=SUFFIX_HINT
            )
    except RecursionError:
        raise collector.fail(None, "is nested too deeply to be a product list") from None
    return collector.result(where)


def _decode(data: bytes, where: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]  # Excel's "Unicode text" export
    elif b"\x00" in data:
        raise ProductError(f"{where} is not a text file", hint=SUFFIX_HINT)
    else:
        # Chinese Windows tools (Excel, Notepad) often save GB18030/GBK rather than UTF-8.
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ProductError(
        f"{where} is neither UTF-8 nor GB18030 text", hint="save it as UTF-8 (Excel: CSV UTF-8)"
    )


def _parse_txt(text: str, collector: _Collector) -> None:
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, *aliases = NAME_SPLIT.split(line)
        if not name.strip():
            raise collector.fail(number, "missing product name before '|'", hint=TXT_HINT)
        collector.add(number, name, aliases)


def _split_aliases(raw: Any) -> list[str]:
    return [a.strip() for a in ALIAS_SPLIT.split(str(raw)) if a.strip()]


def _sniff_delimiter(header: str) -> str:
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {d: unquoted.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _parse_csv(text: str, collector: _Collector) -> None:
    header_text = next((ln for ln in text.split("\n") if ln.strip()), "")
    reader = csv.reader(io.StringIO(text), delimiter=_sniff_delimiter(header_text))
    columns: dict[str, int] | None = None
    width = 0
    previous_end = 0
    try:
        for row in reader:
            line = previous_end + 1  # where the record starts (a quoted cell may span lines)
            previous_end = reader.line_num
            cells = [c.strip() for c in row]
            if not any(cells):
                continue
            if columns is None:
                columns = _csv_columns(cells, line, collector)
                width = len(cells)
                continue
            extra = [c for c in cells[width:] if c]
            if extra:
                raise collector.fail(
                    line,
                    f"{len(cells)} values but the header has {width} columns",
                    hint="quote values that contain the delimiter",
                )
            values = {key: cells[i] if i < len(cells) else "" for key, i in columns.items()}
            _add_fields(collector, line, values, {})
    except csv.Error as exc:
        raise collector.fail(reader.line_num, f"not valid CSV ({exc})") from None


def _csv_columns(cells: list[str], line: int, collector: _Collector) -> dict[str, int]:
    columns: dict[str, int] = {}
    for i, cell in enumerate(cells):
        key = _FIELD_OF.get(cell.lstrip("\ufeff").strip().casefold())
        if key is None:
            continue  # platform exports carry extra columns (id, stock, ...): not ours
        if key in columns:
            raise collector.fail(
                line,
                f"two {key!r} columns ({cells[columns[key]]!r} and {cell!r})",
                hint="keep one",
            )
        columns[key] = i
    if "name" not in columns:
        found = ", ".join(repr(c) for c in cells if c) or "none"
        raise collector.fail(
            line,
            f"the header has no 'name' column (columns: {found})",
            hint="the first row names the columns: name,aliases,price,start,end "
            "(or 商品名,别名,价格,开始,结束)",
        )
    return columns


def _add_fields(
    collector: _Collector, at: int, values: dict[str, Any], lines: dict[str, int]
) -> None:
    """One product from named fields (csv cells or yaml/json values); ``lines`` gives the line of
    each field where it differs from ``at``."""
    name = values.get("name")
    if name is None or isinstance(name, bool) or not isinstance(name, str | int | float):
        raise collector.fail(lines.get("name", at), "missing product name", hint=TXT_HINT)
    if not str(name).strip():
        raise collector.fail(lines.get("name", at), "missing product name", hint=TXT_HINT)
    aliases = values.get("aliases")
    if aliases is None:
        alias_list: list[str] = []
    elif isinstance(aliases, list):
        if not all(isinstance(a, str | int | float) and not isinstance(a, bool) for a in aliases):
            raise collector.fail(
                lines.get("aliases", at), "aliases must be names", hint="aliases: [name, name]"
            )
        alias_list = [str(a) for a in aliases]
    elif isinstance(aliases, str | int | float) and not isinstance(aliases, bool):
        alias_list = _split_aliases(aliases)
    else:
        raise collector.fail(
            lines.get("aliases", at), "aliases must be names", hint="aliases: [name, name]"
        )
    parsed: dict[str, float | None] = {}
    for key, parse, hint, what in (
        ("price", parse_price, PRICE_HINT, "a number"),
        ("start", parse_seconds, TIME_HINT, "a time"),
        ("end", parse_seconds, TIME_HINT, "a time"),
    ):
        raw = values.get(key)
        try:
            parsed[key] = parse(raw)
        except ValueError:
            raise collector.fail(
                lines.get(key, at), f"{key} {_show(raw)} is not {what}", hint=hint
            ) from None
    collector.add(at, str(name), alias_list, parsed["price"], parsed["start"], parsed["end"])


def _show(raw: Any) -> str:
    text = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False, default=str)
    return repr(text[:40] + ("…" if len(text) > 40 else ""))


# --- yaml and json -----------------------------------------------------------------------------


def _tree(text: str, suffix: str, collector: _Collector) -> Node:
    try:
        root = (json_tree if suffix == ".json" else yaml_tree)(text, MAX_NODES)
    except TreeError as exc:
        raise collector.fail(exc.line, exc.message) from None
    if root is None:
        raise collector.empty()
    return root


def _parse_tree(root: Node, collector: _Collector) -> str:
    """Products from a list, or from a mapping's ``products`` list. Returns the ``source`` a
    saved ProductList (``inputs/products.json``) carries, else ''."""
    items = root.value
    source = ""
    if isinstance(items, dict):
        listed = items.get("products")
        if listed is None or not isinstance(listed.value, list):
            raise collector.fail(
                root.line,
                "expected a list of products or a mapping with a 'products' list",
                hint="products: [name, {name: ..., aliases: [...], price: ...}]",
            )
        saved = items.get("source")
        if "schema_version" in items and saved is not None and isinstance(saved.value, str):
            source = saved.value
        items = listed.value
    elif not isinstance(items, list):
        raise collector.fail(
            root.line,
            "expected a list of products or a mapping with a 'products' list",
            hint="products: [name, {name: ..., aliases: [...], price: ...}]",
        )
    for item in items:
        value = item.value
        if isinstance(value, dict):
            values: dict[str, Any] = {}
            lines: dict[str, int] = {}
            for key, node in value.items():
                known = _FIELD_OF.get(key.strip().casefold())
                if known is None:
                    continue  # extra keys (sku, stock, ...) carry no meaning here
                if known in values:
                    raise collector.fail(node.line, f"{key!r} repeats the {known!r} field")
                if isinstance(node.value, dict):
                    raise collector.fail(node.line, f"{key!r} must not be a mapping")
                values[known] = (
                    [n.value for n in node.value] if isinstance(node.value, list) else node.value
                )
                lines[known] = node.line
            _add_fields(collector, item.line, values, lines)
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            collector.add(item.line, str(value))
        else:
            raise collector.fail(
                item.line,
                "a product must be a name or a mapping with 'name'",
                hint="- 保温杯  or  - {name: 保温杯, aliases: [保温瓶]}",
            )
    return source


# --- the config's inline list ------------------------------------------------------------------


def products_from_config(items: list[Any], where: str = "analysis.products") -> ProductList:
    """``analysis.products``: strings (``name`` or ``name | alias``) and Product mappings."""
    collector = _Collector(where, unit="item", error=ConfigError)
    for number, item in enumerate(items, 1):
        if isinstance(item, Product):
            # Contracts keep unknown keys; in a config file one is a typo ("alias").
            unknown = list(item.model_extra or {})
            if unknown:
                raise collector.fail(
                    number,
                    f"unknown key {unknown[0]!r}",
                    hint=f"keys: {', '.join(Product.model_fields)}",
                )
            collector.add(
                number, item.name, item.aliases, item.price, item.start_seconds, item.end_seconds
            )
            continue
        name, *aliases = NAME_SPLIT.split(str(item))
        collector.add(number, name, aliases)
    return collector.result(where)


def resolve_products(option: Path | None, settings: Any) -> tuple[ProductList | None, str]:
    """The list a command should give its job, and a warning ('' if none).

    ``--products`` wins over ``analysis.products_file``, which wins over the inline
    ``analysis.products``. None means: keep the list the job already has (if any)."""
    cfg = settings.analysis
    if option is not None:
        return load_products(option), ""
    if cfg.products_file is not None:
        warning = ""
        if cfg.products:
            warning = (
                "analysis.products is ignored: analysis.products_file is set too and wins; "
                "remove one of them"
            )
        return load_products(cfg.products_file, setting="analysis.products_file"), warning
    if cfg.products:
        return products_from_config(list(cfg.products)), ""
    return None, ""
