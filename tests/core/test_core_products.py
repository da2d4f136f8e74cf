"""The seller's product list: every file format it comes in, the config's inline list, and the
contract's hotwords and digest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from clipora_core.contracts import Product, ProductList
from clipora_core.errors import ConfigError, InputError
from clipora_core.products import (
    load_products,
    parse_price,
    parse_seconds,
    products_from_config,
    resolve_products,
)


def _write(folder: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def _rows(products: ProductList) -> list[dict]:
    return [p.model_dump(exclude_defaults=True) for p in products.products]


def test_txt_with_bom_aliases_comments_and_full_width_bars(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "products.txt",
        "\ufeff# 今晚的商品\n保温杯 | 宝文杯 ｜ 保温瓶\n\n  面霜  \r\n蓝牙耳机|耳机||蓝牙耳机\n",
    )
    products = load_products(path)
    assert products.source == "products.txt" and products.schema_version == 1
    assert _rows(products) == [
        {"name": "保温杯", "aliases": ["宝文杯", "保温瓶"]},
        {"name": "面霜"},
        {"name": "蓝牙耳机", "aliases": ["耳机"]},  # empty alias and the name itself dropped
    ]
    assert products.hotwords() == ["保温杯", "面霜", "耳机", "宝文杯", "保温瓶", "蓝牙耳机"]


def test_gb18030_txt_from_a_chinese_windows_editor(tmp_path: Path) -> None:
    path = _write(tmp_path, "商品.txt", "保温杯|保温瓶\n面霜\n", encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    assert _rows(load_products(path)) == [
        {"name": "保温杯", "aliases": ["保温瓶"]},
        {"name": "面霜"},
    ]


def test_csv_with_chinese_headers_prices_and_markers(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "products.csv",
        "商品名,别名,价格,开始,结束,库存\n"
        "保温杯,宝文杯、保温瓶,¥129,0:21,1:06,5\n"
        "面霜,雪花膏；面油,￥129.9,68,112.5,\n"
        '"耳机, 蓝牙",耳机;蓝牙耳机|无线耳机,$29.99,1:55,00:02:37,\n'
        "充电宝,,129元,1:02:03,,\n"
        "数据线,,,,,\n",
    )
    assert _rows(load_products(path)) == [
        {
            "name": "保温杯",
            "aliases": ["宝文杯", "保温瓶"],
            "price": 129.0,
            "start_seconds": 21.0,
            "end_seconds": 66.0,
        },
        {
            "name": "面霜",
            "aliases": ["雪花膏", "面油"],
            "price": 129.9,
            "start_seconds": 68.0,
            "end_seconds": 112.5,
        },
        {
            "name": "耳机, 蓝牙",
            "aliases": ["耳机", "蓝牙耳机", "无线耳机"],
            "price": 29.99,
            "start_seconds": 115.0,
            "end_seconds": 157.0,
        },
        {"name": "充电宝", "price": 129.0, "start_seconds": 3723.0},
        {"name": "数据线"},
    ]


def test_csv_english_headers_any_case_and_sniffed_delimiters(tmp_path: Path) -> None:
    expected = [{"name": "Water bottle", "aliases": ["bottle"], "price": 29.0}]
    for delimiter in (",", "\t", ";"):
        text = delimiter.join(["Name", "ALIASES", "Price"]) + "\n"
        text += delimiter.join(["Water bottle", "bottle", "29"]) + "\n"
        assert _rows(load_products(_write(tmp_path, "p.csv", text))) == expected, delimiter
    # Excel's "Unicode text" export: UTF-16 with a BOM, tab-separated.
    path = _write(tmp_path, "excel.csv", "名称\t价格\n保温杯\t1,299\n", encoding="utf-16")
    assert _rows(load_products(path)) == [{"name": "保温杯", "price": 1299.0}]


def test_csv_line_numbers_count_quoted_line_breaks(tmp_path: Path) -> None:
    path = _write(tmp_path, "p.csv", 'name,aliases,price\n"a",x,1\n"b","y\nz",2\nc,,oops\n')
    with pytest.raises(InputError) as err:
        load_products(path)
    assert err.value.message == "p.csv line 5: price 'oops' is not a number"


def test_yaml_list_and_mapping(tmp_path: Path) -> None:
    listed = _write(tmp_path, "p.yaml", "- 保温杯\n- {name: 面霜, aliases: 雪花膏|面油}\n")
    assert _rows(load_products(listed)) == [
        {"name": "保温杯"},
        {"name": "面霜", "aliases": ["雪花膏", "面油"]},
    ]
    mapped = _write(
        tmp_path,
        "p.yml",
        "shop: 旗舰店\nproducts:\n  - name: 保温杯\n    aliases: [保温瓶, 杯子]\n"
        "    price: ¥129\n    start: '01:30'\n    end: 150\n    sku: A-1\n  - 面霜\n",
    )
    assert _rows(load_products(mapped)) == [
        {
            "name": "保温杯",
            "aliases": ["保温瓶", "杯子"],
            "price": 129.0,
            "start_seconds": 90.0,
            "end_seconds": 150.0,
        },
        {"name": "面霜"},
    ]


def test_json_list_mapping_and_a_saved_product_list(tmp_path: Path) -> None:
    listed = _write(tmp_path, "p.json", '["保温杯", {"名称": "面霜", "价格": "129元"}]')
    assert _rows(load_products(listed)) == [{"name": "保温杯"}, {"name": "面霜", "price": 129.0}]
    mapped = _write(tmp_path, "m.json", json.dumps({"products": [{"name": "a", "start": 5}]}))
    assert _rows(load_products(mapped)) == [{"name": "a", "start_seconds": 5.0}]
    # A list saved by clipora (a job's inputs/products.json) loads back as itself.
    saved = ProductList(source="商品.csv", products=[Product(name="保温杯", aliases=["保温瓶"])])
    path = _write(tmp_path, "products.json", saved.model_dump_json())
    again = load_products(path)
    assert again.source == "商品.csv" and again.digest() == saved.digest()


def test_the_same_products_give_the_same_digest_whatever_the_file(tmp_path: Path) -> None:
    txt = load_products(_write(tmp_path, "a.txt", "保温杯 | 保温瓶\n面霜\n"))
    yml = load_products(
        _write(
            tmp_path, "b.yaml", yaml.safe_dump([{"name": "保温杯", "aliases": ["保温瓶"]}, "面霜"])
        )
    )
    assert txt.source != yml.source
    assert txt.digest() == yml.digest()
    assert len(txt.digest()) == 64
    other = load_products(_write(tmp_path, "c.txt", "保温杯\n面霜\n"))
    assert other.digest() != txt.digest()


def test_hotwords_are_names_then_aliases_each_once() -> None:
    products = ProductList(
        products=[
            Product(name="保温杯", aliases=["杯子", "保温杯 "]),
            Product(name="杯子套装", aliases=["杯子"]),
        ]
    )
    assert products.hotwords() == ["杯子", "保温杯", "杯子套装"]


@pytest.mark.parametrize(
    ("raw", "value"),
    [("129", 129.0), ("¥129", 129.0), ("￥129.9", 129.9), ("$29.99", 29.99), ("129元", 129.0)]
    + [("1,299", 1299.0), (" 9 块", 9.0), (12, 12.0), ("", None), (None, None)],
)
def test_prices(raw: object, value: float | None) -> None:
    assert parse_price(raw) == value


@pytest.mark.parametrize("raw", ["abc", "-5", "12,34", "¥", "1.2.3", True, float("nan")])
def test_bad_prices(raw: object) -> None:
    with pytest.raises(ValueError):
        parse_price(raw)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("90", 90.0), ("90.5", 90.5), ("1:30", 90.0), ("01:02:03", 3723.0), ("125:00", 7500.0)]
    + [("1:30.5", 90.5), (42, 42.0), (" ", None)],
)
def test_times(raw: object, value: float | None) -> None:
    assert parse_seconds(raw) == value


@pytest.mark.parametrize("raw", ["1:75", "1:60:00", "-3", "a:30", "1::2", "1:2:3:4", "1h"])
def test_bad_times(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_seconds(raw)


def test_inline_config_list(tmp_path: Path) -> None:
    products = products_from_config(
        ["保温杯 | 保温瓶", Product(name="面霜", price=129, start_seconds=60, end_seconds=90)]
    )
    assert products.source == "analysis.products"
    assert _rows(products) == [
        {"name": "保温杯", "aliases": ["保温瓶"]},
        {"name": "面霜", "price": 129.0, "start_seconds": 60.0, "end_seconds": 90.0},
    ]
    with pytest.raises(ConfigError) as err:
        products_from_config(["a", Product.model_validate({"name": "b", "alias": "c"})])
    assert err.value.one_line() == (
        "analysis.products item 2: unknown key 'alias' "
        "(keys: name, aliases, price, start_seconds, end_seconds)"
    )
    with pytest.raises(ConfigError) as err:
        products_from_config(["a", "b", "A"])
    assert err.value.one_line().startswith(
        "analysis.products item 3: duplicate product 'A' (first on item 1)"
    )


def test_config_precedence_file_over_inline_option_over_both(tmp_path: Path) -> None:
    from clipora_core.config import load_config

    cfg = tmp_path / "clipora.yaml"
    (tmp_path / "lists").mkdir()
    _write(tmp_path / "lists", "shop.txt", "保温杯\n")
    option = _write(tmp_path, "cli.txt", "面霜\n")

    def settings(**analysis: object) -> object:
        cfg.write_text(yaml.safe_dump({"analysis": analysis}, allow_unicode=True), "utf-8")
        return load_config(cfg, environ={}).settings

    inline = settings(products=["蓝牙耳机 | 耳机", {"name": "充电宝", "price": 99}])
    products, warning = resolve_products(None, inline)
    assert [p.name for p in products.products] == ["蓝牙耳机", "充电宝"] and warning == ""

    # A relative products_file resolves from the config file's folder, not the cwd.
    both = settings(products=["蓝牙耳机"], products_file="lists/shop.txt")
    assert both.analysis.products_file == tmp_path / "lists" / "shop.txt"
    products, warning = resolve_products(None, both)
    assert [p.name for p in products.products] == ["保温杯"]
    assert "analysis.products is ignored" in warning

    products, _ = resolve_products(option, both)
    assert [p.name for p in products.products] == ["面霜"] and products.source == "cli.txt"
    assert resolve_products(None, settings()) == (None, "")

    missing = settings(products_file="nowhere.csv")
    with pytest.raises(InputError) as err:
        resolve_products(None, missing)
    assert "check analysis.products_file" in err.value.one_line()


def test_config_show_and_env_accept_the_inline_list(fakes, cli_run, tmp_path: Path) -> None:
    cfg = _write(
        tmp_path,
        "clipora.yaml",
        yaml.safe_dump({"analysis": {"products": ["保温杯", {"name": "面霜", "price": 9}]}}),
    )
    res = cli_run("config", "show", "--json", "--config", cfg)
    rows = {r["key"]: r["value"] for r in json.loads(res.stdout)["values"]}
    assert rows["analysis.products"][0] == "保温杯"
    assert rows["analysis.products"][1]["name"] == "面霜"
    assert rows["analysis.products_file"] is None and rows["asr.product_hotwords"] is True
    res = cli_run(
        "config", "show", "--json", "--config", cfg, env={"CLIPORA_ANALYSIS__PRODUCTS": "a|b,c"}
    )
    rows = {r["key"]: r["value"] for r in json.loads(res.stdout)["values"]}
    assert rows["analysis.products"] == ["a|b", "c"]
    bad = _write(tmp_path, "bad.yaml", yaml.safe_dump({"analysis": {"products": [{"x": 1}]}}))
    res = cli_run("config", "show", "--config", bad)
    assert res.exit_code == 2 and "analysis.products" in res.stderr
