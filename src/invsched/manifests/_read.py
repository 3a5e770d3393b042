"""Reading manifest text: from bytes, files or standard input, bounded, into YAML documents.

Every failure is an :class:`~invsched.InvalidManifest` naming the file (``<stdin>`` for
standard input) or, for YAML errors, the document and field; see :mod:`invsched._yaml` for
the rules YAML is read by.
"""

from __future__ import annotations

import os
import sys
from typing import Final

from invsched._files import decode_utf8, file_errors, shown
from invsched.errors import InvalidManifest
from invsched.manifests._stream import printable

__all__ = [
    "MAX_BYTES",
    "STDIN",
    "checked_text",
    "decode",
    "documents",
    "read_path",
    "read_stdin",
    "shown",
]

#: The largest input read, in bytes (a 10^5-quota tree is about 20 MB).
MAX_BYTES: Final = 64 * 2**20
#: How messages name standard input (read for the path ``"-"``).
STDIN: Final = "<stdin>"


# Reading bytes ------------------------------------------------------------------------------


def decode(data: bytes, where: str) -> str:
    """UTF-8 text (a leading byte-order mark is dropped), at most :data:`MAX_BYTES` long."""
    if len(data) > MAX_BYTES:
        raise InvalidManifest(
            "", f"larger than {MAX_BYTES // 2**20} MiB, the most read", source=where or None
        )
    return decode_utf8(data, where or None)


def read_stdin() -> str:
    stdin = sys.stdin
    if stdin is None:
        raise InvalidManifest("", "standard input is closed", source=STDIN)
    try:
        buffer = getattr(stdin, "buffer", None)
        if buffer is None:  # a text stream without bytes underneath (a test's StringIO)
            return checked_text(stdin.read(MAX_BYTES + 1), STDIN)
        data: bytes = buffer.read(MAX_BYTES + 1)
    except OSError as error:
        raise InvalidManifest("", f"cannot read: {error.strerror or error}", source=STDIN) from None
    return decode(data, STDIN)


def read_path(path: str | os.PathLike[str]) -> str:
    where = shown(path)
    with file_errors(where), open(path, "rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    return decode(data, where)


def checked_text(text: str, where: str = "") -> str:
    # Characters count at least one byte each; count bytes exactly only when it matters.
    if len(text) > MAX_BYTES or (
        len(text) > MAX_BYTES // 4 and len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES
    ):
        raise InvalidManifest(
            "", f"larger than {MAX_BYTES // 2**20} MiB, the most read", source=where or None
        )
    return text


# Parsing ------------------------------------------------------------------------------------


def documents(text: str) -> list[object]:
    """Every document of a YAML stream (``None`` for an empty one)."""
    from invsched import _yaml  # noqa: PLC0415 (loaded only when YAML is read)

    try:
        return _yaml.parse_documents(text)
    except _yaml.YamlError as error:
        reason = error.reason
        if error.line:
            reason = f"{reason} (line {error.line}, column {error.column})"
        raise InvalidManifest(printable(error.field), reason, document=error.document) from None
