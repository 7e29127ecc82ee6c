"""Reading feeds.yaml fast, in one pass over libyaml's events, within bounds.

A feeds.yaml may list hundreds of thousands of feeds. ruamel's round-trip loader, pure
Python, reads 100,000 feeds in about a minute, the daemon's reload bound; libyaml (C,
through PyYAML) turns the same text into events in under a second. This module builds the
document from those events itself: the same CommentedMap and CommentedSeq the rest of the
config code reads, with each key's and item's line, and values resolved as YAML 1.2 (as
ruamel reads them: `no` is the text "no", `07:00` is text). The same pass refuses what is
not a feeds.yaml (see `read_document`) before anything large is built.

Editing the file (feeds add/remove/import-opml) still goes through ruamel, which keeps the
user's comments; only reading is done here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from monitor.errors import ConfigError

# libyaml's parser where PyYAML was built with it (the wheels are); the pure one elsewhere.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Bounds on what feeds.yaml may be: a file this size or larger is not one (`/dev/zero`).
# 500,000 feeds with a name and a language take about 54 MiB and 3.5 million values.
MAX_CONFIG_BYTES = 64 * 1024 * 1024
MAX_NODES = 5_000_000  # values, lists and mappings
MAX_ALIASES = 1000
MAX_DEPTH = 32
# Aliases may not expand the file much beyond its own size: every later walk or str() of a
# value writes its aliases out, and ten nested aliases of ten make 10^10 items.
MIN_EXPANDED = 4 * 1024 * 1024  # characters, every alias written out


def max_expanded(text: str) -> int:
    return max(MIN_EXPANDED, 2 * len(text))


# YAML 1.2's core schema for plain scalars, plus what ruamel accepts besides (0o/0x/0b
# integers, underscores between digits).
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?(?:[0-9][0-9_]*|0o[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+)$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")
# What YAML allows in a file (tab, line ends, printable Unicode); the first character outside
# it is reported by line and column, whichever parser found it.
_NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

_TAG = "tag:yaml.org,2002:"
_TAGGED: dict[str, Any] = {"int": int, "float": (int, float), "bool": bool, "null": type(None)}
_KEY = "a mapping key must be a plain word or number, not a list or a mapping"


def _plain(value: str) -> Any:
    """A plain (unquoted, untagged) scalar as YAML 1.2 reads it."""
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        digits = value.replace("_", "")
        sign = -1 if digits.startswith("-") else 1
        digits = digits.lstrip("+-")
        for prefix, base in (("0o", 8), ("0x", 16), ("0b", 2)):
            if digits.startswith(prefix):
                return sign * int(digits[2:], base)
        return sign * int(digits)
    if _FLOAT.match(value):
        return float(value.replace("_", ""))
    if _INF.match(value):
        return -math.inf if value.startswith("-") else math.inf
    if _NAN.match(value):
        return math.nan
    return value


@dataclass
class _Frame:
    """A list or mapping being read."""

    value: CommentedMap | CommentedSeq
    start: Any  # the event that opened it (for the line of an error)
    anchor: str | None
    weight: int = 1  # characters, every alias written out
    key: Any = None  # a mapping's key waiting for its value
    key_event: Any = None
    has_key: bool = False
    merges: list[tuple[Any, Any]] = field(default_factory=list)  # (<< value, its event)


class _Reader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.limit = max_expanded(text)
        self.anchors: dict[str, tuple[Any, int, bool]] = {}  # name -> (value, weight, collection)
        self.stack: list[_Frame] = []
        self.aliases = 0
        self.nodes = 0
        self.documents = 0
        self.root: Any = None

    def fail(self, event: Any, message: str) -> ConfigError:
        mark = event.start_mark
        return ConfigError(str(self.path), mark.line + 1, f"column {mark.column + 1}: {message}")

    def read(self, events: Any) -> Any:
        for event in events:
            kind = type(event)
            if kind is yaml.ScalarEvent:
                self.count(event)
                value = self.scalar(event)
                weight = len(event.value) + 1
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, weight, False)
                self.add(event, value, weight, False)
            elif kind is yaml.AliasEvent:
                self.count(event)
                self.alias(event)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                self.count(event)
                self.open(event, mapping=kind is yaml.MappingStartEvent)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                self.close()
            elif kind is yaml.DocumentStartEvent:
                self.documents += 1
                if self.documents > 1:
                    raise self.fail(event, "more than one document (a line '---'): feeds.yaml is one")
        return self.root

    def count(self, event: Any) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(event, f"more than {MAX_NODES:,} values: not a feeds.yaml")

    def scalar(self, event: Any) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            return _plain(event.value) if event.implicit[0] and tag is None else event.value
        if not tag.startswith(_TAG):
            raise self.fail(event, f"unknown tag {tag}: feeds.yaml uses plain values")
        kind = tag[len(_TAG) :]
        if kind == "str":
            return event.value
        value = _plain(event.value)
        wanted = _TAGGED.get(kind)
        if wanted is None or not isinstance(value, wanted) or (kind == "int" and isinstance(value, bool)):
            raise self.fail(event, f"{event.value!r} is not a {kind}")
        return float(value) if kind == "float" else value

    def alias(self, event: Any) -> None:
        self.aliases += 1
        if self.aliases > MAX_ALIASES:
            raise self.fail(event, f"more than {MAX_ALIASES} aliases (*name): write the values out instead")
        if any(frame.anchor == event.anchor for frame in self.stack):
            raise self.fail(event, f"alias *{event.anchor} refers to a value that contains it")
        if event.anchor not in self.anchors:
            raise self.fail(event, f"alias *{event.anchor} is not defined above it (&{event.anchor})")
        value, weight, collection = self.anchors[event.anchor]
        self.add(event, value, weight, collection)

    def open(self, event: Any, *, mapping: bool) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(event, f"lists and mappings nested more than {MAX_DEPTH} deep")
        tag = event.tag
        if tag is not None and tag != "!" and tag != _TAG + ("map" if mapping else "seq"):
            raise self.fail(event, f"unknown tag {tag}: feeds.yaml uses plain values")
        value: CommentedMap | CommentedSeq = CommentedMap() if mapping else CommentedSeq()
        value.lc.line, value.lc.col = event.start_mark.line, event.start_mark.column
        if self.stack and isinstance(self.stack[-1].value, CommentedMap) and not self.stack[-1].has_key:
            raise self.fail(event, _KEY)
        self.stack.append(_Frame(value, event, event.anchor))

    def close(self) -> None:
        frame = self.stack.pop()
        if frame.merges:
            self.merge(frame)
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (frame.value, frame.weight, True)
        self.add(frame.start, frame.value, frame.weight, True)

    def add(self, event: Any, value: Any, weight: int, collection: bool) -> None:
        """Put a finished value into the list or mapping around it."""
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        frame.weight += weight
        if frame.weight > self.limit:
            raise self.fail(
                event,
                f"aliases (*name, <<: *name) expand this file beyond {self.limit:,} characters: "
                "write the values out instead",
            )
        container = frame.value
        mark = event.start_mark
        if isinstance(container, CommentedSeq):
            container.lc.add_kv_line_col(len(container), [mark.line, mark.column])
            container.append(value)
            return
        if not frame.has_key:
            if collection:
                raise self.fail(event, _KEY)
            frame.key, frame.key_event, frame.has_key = value, event, True
            return
        key, key_event = frame.key, frame.key_event
        frame.key, frame.key_event, frame.has_key = None, None, False
        if key == "<<" and key_event.implicit[0] and key_event.tag is None:
            frame.merges.append((value, key_event))
            return
        try:
            hash(key)
        except TypeError:
            raise self.fail(key_event, "a mapping key must be a plain word or number") from None
        if key in container:
            first = container.lc.key(key)[0] + 1
            raise self.fail(key_event, f"duplicate key {key!r} (first on line {first})")
        key_mark = key_event.start_mark
        container.lc.add_kv_line_col(key, [key_mark.line, key_mark.column, mark.line, mark.column])
        container[key] = value

    def merge(self, frame: _Frame) -> None:
        """`<<: *defaults` (or a list of them): keys written in the mapping win; earlier
        merged mappings win over later ones."""
        container = frame.value
        for value, event in frame.merges:
            sources = value if isinstance(value, CommentedSeq) else [value]
            for source in sources:
                if not isinstance(source, CommentedMap):
                    raise self.fail(event, "'<<' merges a mapping (<<: *name) or a list of them")
                for key, item in source.items():
                    if key not in container:
                        mark = event.start_mark
                        container.lc.add_kv_line_col(key, [mark.line, mark.column, mark.line, mark.column])
                        container[key] = item


def read_document(path: Path, text: str) -> Any:
    """The YAML document in `text` (read from `path`), or a ConfigError naming the line and
    column at fault. Refused before anything large is built: aliases (and merge keys) that
    would expand the document beyond max_expanded(text) characters, more than MAX_ALIASES
    aliases or MAX_NODES values, nesting deeper than MAX_DEPTH, a list or mapping as a
    mapping key, a key twice in a mapping, more than one document."""
    try:
        return _Reader(path, text).read(yaml.parse(text, Loader=_LOADER))
    except yaml.reader.ReaderError:
        bad = _NOT_YAML.search(text)
        if bad is None:
            raise ConfigError(str(path), None, "not valid YAML text") from None
        line_start = text.rfind("\n", 0, bad.start()) + 1
        raise ConfigError(
            str(path),
            text.count("\n", 0, bad.start()) + 1,
            f"column {bad.start() - line_start + 1}: character U+{ord(bad.group()):04X} is not allowed "
            "in YAML (a control character: delete it)",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        where = f"column {mark.column + 1}: " if mark is not None else ""
        raise ConfigError(str(path), line, f"{where}not valid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), None, f"not valid YAML: {exc}") from None
