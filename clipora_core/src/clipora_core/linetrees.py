"""YAML and JSON documents as trees in which every value knows the line it starts on, so a
message about one entry of a hand-edited file can say where that entry is."""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from typing import Any


@dataclass
class Node:
    value: Any  # a scalar, list[Node] or dict[str, Node]
    line: int  # 1-based


class TreeError(ValueError):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def yaml_tree(text: str, max_nodes: int) -> Node | None:
    """The document's tree (None when it is empty). Raises TreeError."""
    import yaml

    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:  # control characters, checked before parsing
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        raise TreeError(line, f"not valid YAML (control character #x{exc.character:04x})") from None
    try:
        node = loader.get_single_node()
        return None if node is None else _from_yaml(node, loader, [max_nodes])
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at: int | None = mark.line + 1 if mark else None
        raise TreeError(at, f"not valid YAML ({exc.problem or exc.context})") from None
    except yaml.YAMLError as exc:
        raise TreeError(None, f"is not valid YAML ({type(exc).__name__})") from None
    finally:
        loader.dispose()


def _from_yaml(node: Any, loader: Any, budget: list[int]) -> Node:
    import yaml

    # Aliases share nodes, so a small file can name the same subtree millions of times.
    budget[0] -= 1
    if budget[0] < 0:
        raise TreeError(None, "expands to too many values")
    line = node.start_mark.line + 1
    if isinstance(node, yaml.SequenceNode):
        return Node([_from_yaml(n, loader, budget) for n in node.value], line)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise TreeError(key_node.start_mark.line + 1, "keys must be plain names")
            out[str(loader.construct_object(key_node))] = _from_yaml(value_node, loader, budget)
        return Node(out, line)
    try:
        value = loader.construct_object(node)
    except yaml.YAMLError as exc:
        raise TreeError(line, f"not a valid value ({type(exc).__name__})") from None
    return Node(value, line)


def json_tree(text: str, max_nodes: int) -> Node | None:
    """The document's tree (None when it is empty). Raises TreeError."""
    if not text.strip():
        return None
    try:
        json.loads(text)  # the decoder's own message and position for invalid JSON
    except json.JSONDecodeError as exc:
        raise TreeError(exc.lineno, f"not valid JSON ({exc.msg})") from None
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]
    decoder = json.JSONDecoder()
    budget = [max_nodes]

    def line_of(pos: int) -> int:
        return bisect.bisect_left(newlines, pos) + 1

    def skip(pos: int) -> int:
        while pos < len(text) and text[pos] in " \t\n\r":
            pos += 1
        return pos

    def node(pos: int) -> tuple[Node, int]:
        # The text is valid JSON (checked above), so this walk can trust its structure.
        budget[0] -= 1
        if budget[0] < 0:
            raise TreeError(None, "has too many values")
        pos = skip(pos)
        start = pos
        if text[pos] == "[":
            items: list[Node] = []
            pos = skip(pos + 1)
            while text[pos] != "]":
                item, pos = node(pos)
                items.append(item)
                pos = skip(pos)
                if text[pos] == ",":
                    pos = skip(pos + 1)
            return Node(items, line_of(start)), pos + 1
        if text[pos] == "{":
            members: dict[str, Node] = {}
            pos = skip(pos + 1)
            while text[pos] != "}":
                key, pos = decoder.raw_decode(text, pos)
                pos = skip(skip(pos) + 1)  # past the ':'
                members[key], pos = node(pos)
                pos = skip(pos)
                if text[pos] == ",":
                    pos = skip(pos + 1)
            return Node(members, line_of(start)), pos + 1
        value, pos = decoder.raw_decode(text, pos)
        return Node(value, line_of(start)), pos

    return node(0)[0]
