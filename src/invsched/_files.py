"""What reading a user's file can go wrong with, said the same way everywhere.

The manifest reader and the trace reader both open files a user named; both report a
missing file, a directory, a permission problem or a bad path as one
:class:`~invsched.InvalidManifest` whose ``source`` is the path as shown.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from invsched._validators import render
from invsched.errors import InvalidManifest

__all__ = ["decode_utf8", "file_errors", "shown"]


def shown(path: str | os.PathLike[str]) -> str:
    """A path as a message shows it: as is when printable, else quoted and escaped.

    Runtime complexity: O(len(path)).

    >>> shown("a.yaml"), shown("a\\nb")
    ('a.yaml', "'a\\\\nb'")
    """
    text = os.fsdecode(path)
    return text if text.isprintable() and text else render(text)


def decode_utf8(data: bytes, source: str | None) -> str:
    """``data`` as UTF-8 text (a leading byte-order mark dropped), or an error naming the first
    byte that is not UTF-8. O(len(data))."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidManifest(
            "",
            f"not UTF-8 text (byte {data[error.start]:#04x} at offset {error.start})",
            source=source,
        ) from None


@contextmanager
def file_errors(source: str) -> Iterator[None]:
    """Turn the errors of opening and reading ``source`` into :class:`InvalidManifest`.

    An :class:`InvalidManifest` raised inside (a reader's own finding) passes unchanged.

    >>> try:
    ...     with file_errors("missing.yaml"), open("/nonexistent/missing.yaml") as handle:
    ...         pass
    ... except InvalidManifest as error:
    ...     print(error)
    missing.yaml: no such file
    """
    try:
        yield
    except InvalidManifest:
        raise
    except (FileNotFoundError, NotADirectoryError):
        raise InvalidManifest("", "no such file", source=source) from None
    except IsADirectoryError:
        raise InvalidManifest("", "is a directory", source=source) from None
    except PermissionError:
        raise InvalidManifest("", "permission denied", source=source) from None
    except OSError as error:
        reason = f"cannot read: {error.strerror or error}"
        raise InvalidManifest("", reason, source=source) from None
    except ValueError:  # a NUL character in the path
        raise InvalidManifest("", "not a valid path", source=source) from None
