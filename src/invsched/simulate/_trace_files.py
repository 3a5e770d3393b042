"""Reading trace files: bounded, decompressed, decoded; and where an error is.

Shared by the generic trace formats (:mod:`invsched.simulate.traces`) and the Alibaba pod list
reader (:mod:`invsched.simulate._alibaba`).
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import os
import re
import zlib
from collections.abc import Callable, Iterator
from importlib import resources
from typing import IO, Final, TypeVar

from invsched._files import decode_utf8, file_errors, shown
from invsched._validators import render
from invsched.errors import InvalidManifest, InvalidRequest
from invsched.simulate.records import MAX_SECONDS

#: The largest trace read, in bytes once decompressed (about 10^6 jobs of the generic CSV).
MAX_TRACE_BYTES: Final = 256 * 2**20

#: Seconds as text: an integer, or a decimal number with an optional exponent.
INTEGER: Final = re.compile(r"[-+]?[0-9]+\Z")
_DECIMAL: Final = re.compile(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\Z")
#: Longer texts are refused before conversion (an int of 5000 digits is costly to read).
MAX_NUMBER_TEXT: Final = 40
SECONDS_RULE: Final = "expected seconds (an integer or decimal number ≥ 0)"

_T = TypeVar("_T")


# Locations ----------------------------------------------------------------------------------


def locate(line: int, column: str) -> str:
    """The field of an error inside a trace: ``line 12: duration`` (``line 12`` for a whole
    line)."""
    return f"line {line}: {column}" if column else f"line {line}"


def fail(line: int, column: str, reason: str) -> InvalidManifest:
    """An error about ``column`` of ``line``."""
    return InvalidManifest(locate(line, column), reason)


def naming(source: str, read: Callable[[], _T]) -> _T:
    """``read()``, its errors naming ``source`` (a file) when they name none yet."""
    try:
        return read()
    except InvalidManifest as error:
        if not source or error.source is not None:
            raise
        raise InvalidManifest(error.field, error.reason, error.document, source=source) from None


# Reading bytes ------------------------------------------------------------------------------


def _too_large() -> str:
    return f"larger than {MAX_TRACE_BYTES // 2**20} MiB, the most read"


def decode(data: bytes, source: str) -> str:
    """UTF-8 text (a leading byte-order mark dropped), at most :data:`MAX_TRACE_BYTES`."""
    if len(data) > MAX_TRACE_BYTES:
        raise InvalidManifest("", _too_large(), source=source)
    return decode_utf8(data, source)


def gunzip(handle: IO[bytes], source: str) -> bytes:
    """At most :data:`MAX_TRACE_BYTES` + 1 decompressed bytes (a gzip bomb stops there)."""
    try:
        with gzip.GzipFile(fileobj=handle, mode="rb") as unzipped:
            return unzipped.read(MAX_TRACE_BYTES + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise InvalidManifest("", f"not gzip data ({error})", source=source) from None


def check_path(path: object) -> str | os.PathLike[str]:
    """A path given by a caller: a ``str`` or an ``os.PathLike``."""
    if not isinstance(path, str | os.PathLike):
        raise InvalidRequest("path", f"expected a path (str or os.PathLike), got {render(path)}")
    return path


def read_text(path: str | os.PathLike[str]) -> str:
    """The text of a trace file, decompressed when its name ends in ``.gz``.

    Raises:
        InvalidManifest: no such file, a directory, unreadable, not gzip data, larger than
            :data:`MAX_TRACE_BYTES`, or not UTF-8 (the error's ``source`` is the path).
        InvalidRequest: ``path`` is not a ``str`` or ``os.PathLike``.

    Runtime complexity: O(size of the file).
    """
    source = shown(check_path(path))
    with file_errors(source), open(path, "rb") as handle:
        if os.fsdecode(path).endswith(".gz"):
            data = gunzip(handle, source)
        else:
            data = handle.read(MAX_TRACE_BYTES + 1)
    return decode(data, source)


def read_packaged(name: str) -> str:
    """The text of a compressed file of ``invsched/simulate/data``. O(size of the file)."""
    packaged = resources.files("invsched.simulate.data").joinpath(name)
    with packaged.open("rb") as handle:
        return decode(gunzip(handle, name), name)


def checked_text(text: object) -> str:
    """Trace text given by a caller: a ``str`` of at most :data:`MAX_TRACE_BYTES`
    characters, a leading byte-order mark dropped."""
    if not isinstance(text, str):
        raise InvalidRequest("text", f"expected trace text (str), got {type(text).__name__}")
    if len(text) > MAX_TRACE_BYTES:
        raise InvalidManifest("", _too_large())
    return text.removeprefix("\ufeff")


# Values -------------------------------------------------------------------------------------


def parse_seconds(text: str, where: Callable[[], str]) -> int | float:
    """Seconds written as text: an int for an integer, else a finite float, ≥ 0."""
    if len(text) > MAX_NUMBER_TEXT or not _DECIMAL.match(text):
        raise InvalidManifest(where(), f"{SECONDS_RULE}, got {render(text)}")
    value: int | float = int(text) if INTEGER.match(text) else float(text)
    return check_seconds(value, where)


def check_seconds(value: int | float, where: Callable[[], str]) -> int | float:
    """A time or duration: finite, in [0, 10^18]."""
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidManifest(where(), f"{SECONDS_RULE}, got {render(value)}")
    if value < 0:
        raise InvalidManifest(where(), f"must not be negative, got {render(value)}")
    if value > MAX_SECONDS:
        raise InvalidManifest(where(), f"must be at most 10^18 seconds, got {render(value)}")
    return value


def csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line, fields) of every non-empty CSV record; csv errors name their line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise fail(reader.line_num, "", f"not CSV: {error}") from None
        if row:
            yield line, row
        line = reader.line_num + 1
