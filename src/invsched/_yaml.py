"""Reading YAML as Kubernetes reads it: the YAML 1.2 core schema, no duplicate keys, bounded.

PyYAML implements YAML 1.1, whose implicit types surprise: ``cpu: 1:30`` is the sexagesimal
number 90, ``on``/``off``/``yes``/``no`` are booleans, ``2001-12-14`` is a date and ``010``
is octal 8; a duplicate key silently keeps the last value. Kubernetes reads manifests as
JSON-compatible YAML and rejects duplicate fields. So this module takes only PyYAML's
*event* stream (from libyaml's C parser, ``yaml.CSafeLoader``, when present, else the pure
Python one: same events, same result) and builds the Python objects itself, in one
iterative pass:

* plain scalars are resolved by the **YAML 1.2 core schema**: ``null``/``Null``/``NULL``/
  ``~``/empty → ``None``; ``true``/``True``/``TRUE``/``false``/``False``/``FALSE`` → bool;
  ``[-+]?[0-9]+``, ``0o[0-7]+``, ``0x[0-9a-fA-F]+`` → int; decimal and exponent numbers,
  ``.inf``, ``.nan`` → float; anything else stays a string (``1:30``, ``on``,
  ``2001-12-14``, ``1_000`` are strings);
* explicit tags are limited to the core schema's ``!!str``, ``!!int``, ``!!float``,
  ``!!bool``, ``!!null``, ``!!seq``, ``!!map`` (and ``!``); ``!!int abc``, ``!!timestamp``,
  ``!!binary``, ``!!set`` or a custom tag is an error; there is no ``<<`` merge key;
* a duplicate mapping key is an error, and so is a key that is a sequence or a mapping;
* the input is bounded: at most :data:`MAX_DEPTH` nested collections, integers of at most
  :data:`MAX_INT_DIGITS` digits, and aliases that expand to at most
  :data:`MAX_ALIAS_NODES` nodes in all (a "billion laughs" bomb is refused after a few
  dozen events, in bounded time and memory: aliased values are shared, never copied).

Every refusal is a :class:`YamlError` carrying the document index, the field path, the reason
and the position; :mod:`invsched.manifests` turns it into an ``InvalidManifest``.
"""

from __future__ import annotations

import re
from typing import Any, Final

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from invsched._validators import render, short

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
    "PARSER",
    "YamlError",
    "parse_documents",
]

#: The deepest nesting of collections accepted. libyaml stops at 1000 levels on its own;
#: a lower bound of ours keeps both parsers' answers the same, and leaves room for quota trees
#: about 250 levels deep (each level nests a list and a mapping).
MAX_DEPTH: Final = 512
#: The most digits an integer may have (the quantity limit is 100 digits).
MAX_INT_DIGITS: Final = 100
#: How many nodes all aliases of one stream may stand for, counted as if expanded.
MAX_ALIAS_NODES: Final = 1_000_000

#: The event source: libyaml's parser when PyYAML was built with it, else pure Python.
PARSER: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAG: Final = "tag:yaml.org,2002:"
_SPECIAL: Final[dict[str, object]] = {
    "": None,
    "~": None,
    "null": None,
    "Null": None,
    "NULL": None,
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
    ".inf": float("inf"),
    ".Inf": float("inf"),
    ".INF": float("inf"),
    "+.inf": float("inf"),
    "+.Inf": float("inf"),
    "+.INF": float("inf"),
    "-.inf": float("-inf"),
    "-.Inf": float("-inf"),
    "-.INF": float("-inf"),
    ".nan": float("nan"),
    ".NaN": float("nan"),
    ".NAN": float("nan"),
}
_NUMBER_START: Final = frozenset("-+.0123456789")
_DECIMAL: Final = re.compile(r"[-+]?[0-9]+\Z")
_OCTAL: Final = re.compile(r"0o[0-7]+\Z")
_HEXADECIMAL: Final = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT: Final = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
#: libyaml's own depth limit, reported in our words.
_LIBYAML_DEPTH: Final = "exceeded maximum nesting depth"


class YamlError(Exception):
    """A refused YAML stream: where (document index, field path, line and column) and why.

    ``line`` and ``column`` are 1-based, or 0 when unknown.
    """

    def __init__(self, document: int | None, field: str, reason: str, line: int, column: int):
        super().__init__(document, field, reason, line, column)
        self.document = document
        self.field = field
        self.reason = reason
        self.line = line
        self.column = column


class _Refused(Exception):
    """Raised inside the build loop; the loop adds the document and the field path."""

    def __init__(
        self, reason: str, event: Any, *, in_path: bool = True, key: object = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.event = event
        self.in_path = in_path
        #: The mapping key the error is about, if any (a duplicate key).
        self.key = key


def _integer(text: str, event: Any) -> int | None:
    """The core-schema int spelled by ``text``, or ``None`` if it spells none."""
    if _DECIMAL.match(text):
        digits = len(text) - (text[0] in "+-")
        base = 10
    elif _OCTAL.match(text) or _HEXADECIMAL.match(text):
        digits = len(text) - 2
        base = 8 if text[1] == "o" else 16
        text = text[2:]
    else:
        return None
    if digits > MAX_INT_DIGITS:
        # int() of a 5000-digit string raises ValueError (CPython's conversion limit), and a
        # number this long is no quantity anyway.
        raise _Refused(
            f"an integer of {digits} digits exceeds the {MAX_INT_DIGITS} digits supported", event
        )
    return int(text, base)


def _number(text: str, event: Any) -> object:
    """A plain scalar that starts like a number: an int, a float, or the text itself."""
    number = _integer(text, event)
    if number is not None:
        return number
    if _FLOAT.match(text):
        return float(text)
    return text


def _tagged(tag: str, text: str, event: Any) -> object:
    """A scalar with an explicit tag: only the core schema's, and only values they spell."""
    kind = tag[len(_TAG) :] if tag.startswith(_TAG) else None
    value: object = _SPECIAL.get(text, _SPECIAL)
    if tag == "!" or kind == "str":
        return text
    if kind == "null" and value is None:
        return None
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "int":
        number = _integer(text, event)
        if number is not None:
            return number
    if kind == "float":
        if isinstance(value, float):
            return value
        if _FLOAT.match(text) or _DECIMAL.match(text):
            return float(text)
    if kind in ("null", "bool", "int", "float"):
        raise _Refused(f"cannot read {render(text)} as !!{kind}", event)
    raise _Refused(f"unsupported tag {render(_short_tag(tag))}", event)


def _short_tag(tag: str) -> str:
    return f"!!{tag[len(_TAG) :]}" if tag.startswith(_TAG) else tag


def _path(containers: list[Any], pending: list[object], key: object = _SPECIAL) -> str:
    """The field path of the value being read (``spec.root.children[3].min``)."""
    parts: list[str] = []
    for index, container in enumerate(containers):
        if type(container) is list:
            parts.append(f"[{len(container)}]")
            continue
        step = pending[index] if index + 1 < len(containers) or key is _SPECIAL else key
        if step is _SPECIAL:
            break
        name = short(step) if isinstance(step, str) else render(step)
        parts.append(f".{name}" if parts else name)
    return "".join(parts)


def _position(event: Any) -> tuple[int, int]:
    mark = getattr(event, "start_mark", None)
    if mark is None:
        return 0, 0
    return mark.line + 1, mark.column + 1


def _syntax_error(error: yaml.YAMLError, document: int | None) -> YamlError:
    """A parser's error in one line: what is wrong and where."""
    problem = getattr(error, "problem", None)
    mark = getattr(error, "problem_mark", None)
    if problem is not None and _LIBYAML_DEPTH in problem:
        # libyaml may stop on its own limit while it looks ahead; the answer is ours, and,
        # as for ours, without a position (the two parsers would name different ones).
        return YamlError(document, "", f"nests deeper than {MAX_DEPTH} levels", 0, 0)
    if isinstance(error, yaml.reader.ReaderError):
        # A character YAML does not allow (a control character, a lone surrogate).
        character = render(chr(error.character) if isinstance(error.character, int) else "")
        return YamlError(
            document,
            "",
            f"not valid YAML: unacceptable character {character} at position {error.position}",
            0,
            0,
        )
    if problem is None:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        return YamlError(document, "", f"not valid YAML: {first}", 0, 0)
    context = getattr(error, "context", None)
    reason = f"{context}: {problem}" if context else problem
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
    return YamlError(document, "", f"not valid YAML: {reason}", line, column)


def parse_documents(text: str) -> list[object]:
    """Every document of a YAML stream, as plain Python objects (``None`` for an empty one).

    Args:
        text: the YAML text (its size is the caller's to bound).

    Returns:
        One object per document, in order: dicts, lists, str, int, float, bool or ``None``.
        An aliased value is the same object wherever it appears.

    Raises:
        YamlError: the text is not YAML, or breaks a rule of the module docstring.

    Runtime complexity: O(len(text)): one pass over the parser's events, O(1) each (a path
    is spelled only for an error), about 3 µs per event with libyaml (8 s for 20 MB).

    >>> parse_documents("cpu: 1:30\\nlent: on\\ndate: 2001-12-14\\nn: 010\\n---\\n")
    [{'cpu': '1:30', 'lent': 'on', 'date': '2001-12-14', 'n': 10}, None]
    >>> try:
    ...     parse_documents("a: 1\\na: 2\\n")
    ... except YamlError as error:
    ...     print(error.document, error.field, error.reason, error.line, error.column)
    0 a duplicate key 2 1
    """
    documents: list[object] = []
    containers: list[Any] = []  # the open collections, outermost first
    pending: list[object] = []  # per open mapping: the key awaiting its value, or _SPECIAL
    sizes: list[int] = []  # per open collection: its node count, aliases expanded
    opened: list[str | None] = []  # per open collection: its anchor
    anchors: dict[str, tuple[object, int]] = {}
    budget = MAX_ALIAS_NODES
    document = -1
    root: object = None
    special = _SPECIAL.get
    parser: Any = None
    try:
        parser = PARSER(text)
        # get_event returns None after the stream's end, with either parser.
        for event in iter(parser.get_event, None):
            kind = type(event)
            size = 1
            if kind is ScalarEvent:
                value: object = event.value
                if event.tag is not None:
                    value = _tagged(event.tag, event.value, event)
                elif event.implicit[0]:
                    # A plain scalar, resolved by the core schema (a quoted or block scalar
                    # is a string).
                    value = special(event.value, _SPECIAL)
                    if value is _SPECIAL:
                        text = event.value
                        value = _number(text, event) if text[0] in _NUMBER_START else text
                if event.anchor is not None:
                    anchors[event.anchor] = (value, 1)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                tag = event.tag
                expected = "map" if kind is MappingStartEvent else "seq"
                if tag is not None and tag not in ("!", _TAG + expected):
                    raise _Refused(f"unsupported tag {render(_short_tag(tag))}", event)
                if len(containers) >= MAX_DEPTH:
                    raise _Refused(f"nests deeper than {MAX_DEPTH} levels", None, in_path=False)
                containers.append({} if kind is MappingStartEvent else [])
                pending.append(_SPECIAL)
                sizes.append(1)
                opened.append(event.anchor)
                continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                value = containers.pop()
                pending.pop()
                size = sizes.pop()
                anchor = opened.pop()
                if anchor is not None:
                    anchors[anchor] = (value, size)
            elif kind is AliasEvent:
                entry = anchors.get(event.anchor)
                if entry is None:
                    what = (
                        "refers to a node that contains it"
                        if event.anchor in opened
                        else ("is not defined before it is used")
                    )
                    raise _Refused(f"alias {render(event.anchor)} {what}", event)
                value, size = entry
                budget -= size
                if budget < 0:
                    raise _Refused(
                        f"aliases expand to more than {MAX_ALIAS_NODES} nodes", event, in_path=False
                    )
            elif kind is DocumentStartEvent:
                document += 1
                anchors = {}  # anchors are local to their document
                root = None
                continue
            elif kind is DocumentEndEvent:
                documents.append(root)
                continue
            else:  # the stream's start and end
                continue
            if not containers:
                root = value
                continue
            sizes[-1] += size
            top = containers[-1]
            if type(top) is list:
                top.append(value)
                continue
            key = pending[-1]
            if key is not _SPECIAL:
                top[key] = value
                pending[-1] = _SPECIAL
            elif type(value) is dict or type(value) is list:
                raise _Refused("a mapping key must be a scalar", event)
            elif value in top:
                raise _Refused("duplicate key", event, key=(value,))
            else:
                pending[-1] = value
    except _Refused as refused:
        field = ""
        if refused.in_path:
            # A key is wrapped in a tuple, so that a null key is told from no key.
            key = refused.key[0] if isinstance(refused.key, tuple) else _SPECIAL
            field = _path(containers, pending, key)
        line, column = _position(refused.event)
        raise YamlError(max(document, 0), field, refused.reason, line, column) from None
    except yaml.YAMLError as error:
        # Text before the first document's start event belongs to document 0.
        raise _syntax_error(error, max(document, 0)) from None
    except UnicodeEncodeError as error:
        # libyaml's parser encodes the text to UTF-8 first: a lone surrogate cannot be.
        character = render(text[error.start])
        reason = f"not valid YAML: unacceptable character {character} at position {error.start}"
        raise YamlError(0, "", reason, 0, 0) from None
    finally:
        if parser is not None:
            parser.dispose()
    return documents
