"""What reading a user's file can go wrong with, said the same way everywhere.

The manifest reader and the trace reader both open files a user named; both report a
missing file, a directory, a permission problem or a bad path as one
:class:`~invsched.InvalidManifest` whose ``source`` is the path as shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from invsched.errors import InvalidManifest

__all__ = ["file_errors"]


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
