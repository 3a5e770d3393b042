"""One vocabulary of checks for every record field and function argument.

Every public record and function of the library validates its input through these pieces,
so that bad input always ends in a typed error (a subclass of
:class:`~invsched.errors.InvschedError` and of ``ValueError``) whose message names the
field, the rule and the offending value, rendered safely (:func:`render`).

Two layers:

* **check functions** (``check_*``) take the error class, the field path and the value,
  and return the value (possibly normalised) or raise; function arguments use them
  directly;
* **validator factories** (``*_field``) wrap a check as an attrs validator for a record
  field; the field path is ``Owner.field`` (``Workload.name``).

Sequences of names are taken as tuples by :func:`to_tuple`, which leaves a bare string
untouched so that the field's validator refuses it ("expected a sequence of names, got the
string 'cluster-b'") instead of splitting it into characters.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, TypeVar

import attrs

__all__ = [
    "MAX_AMOUNT",
    "FieldError",
    "Validator",
    "amount_field",
    "bool_field",
    "check_amount",
    "check_bool",
    "check_count",
    "check_dns_label",
    "check_dns_subdomain",
    "check_enum",
    "check_instance",
    "check_name",
    "check_names",
    "count_field",
    "dns_label_field",
    "dns_subdomain_field",
    "enum_field",
    "instance_field",
    "name_field",
    "names_field",
    "optional",
    "render",
    "text_field",
    "to_tuple",
    "tuple_of_field",
]

_E = TypeVar("_E", bound=enum.Enum)
_T = TypeVar("_T")

#: An error class constructed as ``error(field, reason)``.
FieldError = Callable[[str, str], Exception]
Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]

#: The largest magnitude of an amount in milli-units (exclusive): the quantity grammar's
#: limit of 100 digits (``invsched.quantity.MAX_QUANTITY_DIGITS``).
MAX_AMOUNT: Final = 10**100

#: DNS-1123 label (Kubernetes namespaces): lower-case alphanumerics and ``-``, starting and
#: ending with an alphanumeric, at most 63 characters.
_DNS_LABEL: Final = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
_DNS_LABEL_MAX: Final = 63
#: DNS-1123 subdomain (Kubernetes object names): labels joined by ``.``, at most 253.
_DNS_SUBDOMAIN: Final = re.compile(
    r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z"
)
_DNS_SUBDOMAIN_MAX: Final = 253

#: How much of a value a message shows.
_RENDER_LIMIT: Final = 80
#: Ints with more bits than this are described, not printed (``repr`` of an int over 4300
#: digits raises ``ValueError`` in CPython ≥ 3.11).
_RENDER_BITS: Final = 400


def render(value: object, limit: int = _RENDER_LIMIT) -> str:
    """A short, always-printable rendering of ``value`` for an error message.

    Huge ints are described by their digit count, long texts are cut with ``…``, and a
    value whose ``repr`` fails is named by its type. Never raises.

    Runtime complexity: O(min(len(repr), limit)) for ordinary values.

    >>> render("cluster-b")
    "'cluster-b'"
    >>> render(10**2000)
    'an int of 2001 digits'
    >>> render(-(10**5000))
    'an int of about 5001 digits'
    >>> render("x" * 200)[-6:]
    "xxxx…'"
    """
    try:
        if type(value) is int and value.bit_length() > _RENDER_BITS:
            digits = len(str(abs(value))) if value.bit_length() < 10_000 else None
            if digits is None:
                return f"an int of about {int(value.bit_length() * 0.30103) + 1} digits"
            return f"an int of {digits} digits"
        if isinstance(value, str) and len(value) > limit:
            return repr(value[:limit])[:-1] + "…'"
        text = repr(value)
    except Exception:  # a message must never fail to format
        return f"a {type(value).__name__}"
    if len(text) > limit:
        text = text[:limit] + "…"
    return text


def _type_name(value: object) -> str:
    return type(value).__name__


def field_path(instance: object, attribute: attrs.Attribute[Any]) -> str:
    """``Owner.field`` for a record field."""
    return f"{type(instance).__name__}.{attribute.name}"


# Check functions ---------------------------------------------------------------------------


def check_bool(error: FieldError, field: str, value: object) -> bool:
    """``True`` or ``False`` only (not ``0``, ``1`` or ``None``)."""
    if type(value) is not bool:
        raise error(field, f"expected a bool, got {render(value)}")
    return value


def check_text(error: FieldError, field: str, value: object) -> str:
    """A non-empty ``str``."""
    if not isinstance(value, str) or not value:
        raise error(field, f"expected a non-empty string, got {render(value)}")
    return value


def check_name(error: FieldError, field: str, value: object) -> str:
    """A name: a non-empty ``str`` of printable characters (any script, any punctuation).

    Names are compared, never parsed, so ``"cluster"``, ``"a,b"`` or ``"東京"`` are ordinary
    names; control characters are refused because they hide in every rendering.
    """
    if not isinstance(value, str) or not value:
        raise error(field, f"expected a non-empty string, got {render(value)}")
    if not value.isprintable():
        raise error(field, f"must be printable text, got {render(value)}")
    return value


def check_dns_label(error: FieldError, field: str, value: object) -> str:
    """A DNS-1123 label, as Kubernetes requires of a namespace."""
    check_text(error, field, value)
    assert isinstance(value, str)
    if len(value) > _DNS_LABEL_MAX or not _DNS_LABEL.match(value):
        raise error(
            field,
            "must be a DNS-1123 label (at most 63 lower-case letters, digits or '-', "
            f"starting and ending with a letter or digit), got {render(value)}",
        )
    return value


def check_dns_subdomain(error: FieldError, field: str, value: object) -> str:
    """A DNS-1123 subdomain, as Kubernetes requires of an object name."""
    check_text(error, field, value)
    assert isinstance(value, str)
    if len(value) > _DNS_SUBDOMAIN_MAX or not _DNS_SUBDOMAIN.match(value):
        raise error(
            field,
            "must be a DNS-1123 subdomain (at most 253 lower-case letters, digits, '-' or "
            f"'.', starting and ending with a letter or digit), got {render(value)}",
        )
    return value


def check_names(
    error: FieldError,
    field: str,
    value: object,
    check: Callable[[FieldError, str, object], str] = check_name,
) -> tuple[str, ...]:
    """A sequence of names (never a bare string), each passing ``check``; as a tuple."""
    if isinstance(value, (str, bytes)):
        raise error(field, f"expected a sequence of names, got the string {render(value)}")
    if isinstance(value, Mapping) or not isinstance(value, Iterable):
        raise error(field, f"expected a sequence of names, got {_type_name(value)}")
    items = tuple(value)
    for index, item in enumerate(items):
        check(error, f"{field}[{index}]", item)
    return items


def check_count(error: FieldError, field: str, value: object, *, minimum: int = 0) -> int:
    """An ``int`` (not a ``bool``) ≥ ``minimum`` and below :data:`MAX_AMOUNT`."""
    if type(value) is not int:
        raise error(field, f"expected an int, got {_type_name(value)} {render(value)}")
    if value < minimum:
        raise error(field, f"must be ≥ {minimum}, got {render(value)}")
    if value >= MAX_AMOUNT:
        raise error(field, f"must be below 10^100, got {render(value)}")
    return value


def check_amount(error: FieldError, field: str, value: object, *, negative: bool = False) -> int:
    """An amount in milli-units: an ``int`` with ``|value| < 10^100``, ≥ 0 unless
    ``negative``."""
    if type(value) is not int:
        raise error(
            field, f"expected an int of milli-units, got {_type_name(value)} {render(value)}"
        )
    if not negative and value < 0:
        raise error(field, f"must not be negative, got {render(value)}")
    if not -MAX_AMOUNT < value < MAX_AMOUNT:
        raise error(field, f"must be below 10^100 in magnitude, got {render(value)}")
    return value


def check_enum(error: FieldError, field: str, value: object, kind: type[_E]) -> _E:
    """A member of the enum ``kind`` (its value or name is not enough: options are typed)."""
    if not isinstance(value, kind):
        choices = ", ".join(f"{kind.__name__}.{member.name}" for member in kind)
        raise error(field, f"expected one of {choices}, got {render(value)}")
    return value


def check_instance(error: FieldError, field: str, value: object, kind: type[_T]) -> _T:
    """An instance of ``kind``."""
    if not isinstance(value, kind):
        raise error(field, f"expected a {kind.__name__}, got {_type_name(value)} {render(value)}")
    return value


# Converters and validator factories --------------------------------------------------------


def to_tuple(value: object) -> object:
    """A converter: any iterable but a string, bytes or a mapping becomes a tuple; anything
    else is left for the field's validator to refuse with its name."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        return value
    return tuple(value)


def _field_validator(
    error: FieldError, check: Callable[[FieldError, str, object], object]
) -> Validator:
    def validate(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        check(error, field_path(instance, attribute), value)

    return validate


def bool_field(error: FieldError) -> Validator:
    """A validator accepting only ``True`` and ``False`` (not ``0``, ``1`` or ``None``)."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        check_bool(error, attribute.name, value)

    return check


def text_field(error: FieldError) -> Validator:
    """A validator accepting only a non-empty ``str``."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        check_text(error, attribute.name, value)

    return check


def name_field(error: FieldError) -> Validator:
    """A validator for a name (:func:`check_name`)."""
    return _field_validator(error, check_name)


def dns_label_field(error: FieldError) -> Validator:
    """A validator for a DNS-1123 label (:func:`check_dns_label`)."""
    return _field_validator(error, check_dns_label)


def dns_subdomain_field(error: FieldError) -> Validator:
    """A validator for a DNS-1123 subdomain (:func:`check_dns_subdomain`)."""
    return _field_validator(error, check_dns_subdomain)


def names_field(
    error: FieldError, check: Callable[[FieldError, str, object], str] = check_name
) -> Validator:
    """A validator for a tuple of names (use with ``converter=to_tuple``)."""

    def validate(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        check_names(error, field_path(instance, attribute), value, check)

    return validate


def count_field(error: FieldError, *, minimum: int = 0) -> Validator:
    """A validator for a count (:func:`check_count`)."""

    def validate(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        check_count(error, field_path(instance, attribute), value, minimum=minimum)

    return validate


def amount_field(error: FieldError, *, negative: bool = False) -> Validator:
    """A validator for an amount in milli-units (:func:`check_amount`)."""

    def validate(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        check_amount(error, field_path(instance, attribute), value, negative=negative)

    return validate


def enum_field(error: FieldError, kind: type[enum.Enum]) -> Validator:
    """A validator for a member of ``kind``."""

    def validate(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        check_enum(error, field_path(instance, attribute), value, kind)

    return validate


def instance_field(error: FieldError, kind: type[Any]) -> Validator:
    """A validator for an instance of ``kind``."""

    def validate(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        check_instance(error, field_path(instance, attribute), value, kind)

    return validate


def tuple_of_field(error: FieldError, kind: type[Any]) -> Validator:
    """A validator for a tuple whose items are instances of ``kind`` (use with
    ``converter=to_tuple``)."""

    def validate(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        where = field_path(instance, attribute)
        if not isinstance(value, tuple):
            raise error(where, f"expected a sequence of {kind.__name__}, got {render(value)}")
        for index, item in enumerate(value):
            check_instance(error, f"{where}[{index}]", item, kind)

    return validate


def optional(validator: Validator) -> Validator:
    """A validator that lets ``None`` through and checks anything else."""

    def validate(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            validator(instance, attribute, value)

    return validate
