"""attrs field validators shared by the records of several modules.

Each factory takes the error class a module raises for its records (``InvalidRequest`` for
arguments, ``InvalidManifest`` for tree records) and returns a validator that raises it with
the field's name and the offending value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

#: An error class constructed as ``error(field, reason)``.
FieldError = Callable[[str, str], Exception]
Validator = Callable[[Any, "attrs.Attribute[Any]", object], None]


def bool_field(error: FieldError) -> Validator:
    """A validator accepting only ``True`` and ``False`` (not ``0``, ``1`` or ``None``)."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        if type(value) is not bool:
            raise error(attribute.name, f"expected a bool, got {value!r}")

    return check


def text_field(error: FieldError) -> Validator:
    """A validator accepting only a non-empty ``str``."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str) or not value:
            raise error(attribute.name, f"expected a non-empty string, got {value!r}")

    return check
