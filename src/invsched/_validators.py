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
string 'cluster-b'") instead of splitting it into characters. Mappings are taken as
:class:`~invsched.frozenmap.FrozenMap` by :func:`to_frozen_map`, which likewise leaves
anything it cannot convert for the field's validator (:func:`mapping_field`) to refuse.

Which check for which value:

* names of placement objects (clusters, pools, nodes, instance types, regions, label keys,
  workloads) are free-form: :func:`check_name` (a non-empty printable string);
* quota names and namespaces follow Kubernetes: :func:`check_dns_subdomain`,
  :func:`check_dns_label`;
* text that may be empty (a label value, a GPU model): :func:`check_printable`; an opaque
  string that is hashed, never shown (a UID): :func:`check_string`;
* counts (replicas, nodes, pods): :func:`check_count`; amounts in milli-units:
  :func:`check_amount`; both below :data:`MAX_AMOUNT`;
* prices and costs: :func:`check_decimal`; resource vectors: :func:`check_resources`;
* sequences and mappings: :func:`check_names`, :func:`check_tuple_of`, :func:`check_mapping`
  (with :func:`check_counts` and :func:`check_labels` for the usual shapes).
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs

if TYPE_CHECKING:
    from invsched.frozenmap import FrozenMap
    from invsched.resources import Resources

__all__ = [
    "MAX_AMOUNT",
    "FieldError",
    "Validator",
    "amount_field",
    "bool_field",
    "check_amount",
    "check_bool",
    "check_count",
    "check_counts",
    "check_decimal",
    "check_dns_label",
    "check_dns_subdomain",
    "check_enum",
    "check_instance",
    "check_labels",
    "check_mapping",
    "check_name",
    "check_names",
    "check_printable",
    "check_resources",
    "check_string",
    "check_text",
    "check_tuple_of",
    "count_field",
    "decimal_field",
    "dns_label_field",
    "dns_subdomain_field",
    "enum_field",
    "field_path",
    "flag_field",
    "instance_field",
    "mapping_field",
    "name_field",
    "names_field",
    "optional",
    "printable_field",
    "render",
    "resources_field",
    "short",
    "string_field",
    "text_field",
    "to_frozen_map",
    "to_tuple",
    "tuple_of_field",
    "typed",
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
            # Cut before quoting, so that a megabyte string costs no megabyte repr.
            cut = repr(value[:limit])
            return f"{cut[:-1]}…{cut[-1]}"
        text = repr(value)
    except Exception:  # a message must never fail to format
        return f"a {type(value).__name__}"
    if len(text) > limit:
        text = text[:limit] + "…"
    return text


@functools.cache
def _resources_class() -> type[Resources]:
    # Imported on first use: resources imports this module.
    from invsched.resources import Resources  # noqa: PLC0415

    return Resources


@functools.cache
def _frozen_map_class() -> type[FrozenMap[Any, Any]]:
    # Imported on first use: frozenmap imports errors, which imports this module.
    from invsched.frozenmap import FrozenMap  # noqa: PLC0415

    return FrozenMap


def short(text: str, limit: int = _RENDER_LIMIT) -> str:
    """``text`` cut to ``limit`` characters with ``…``, for a name inside a field path.

    >>> short("cpu"), short("x" * 100)[-3:]
    ('cpu', 'xx…')
    """
    return text if len(text) <= limit else f"{text[:limit]}…"


def _type_name(value: object) -> str:
    return type(value).__name__


def typed(value: object) -> str:
    """``value``'s type and :func:`render` (``"float 1.5"``), or the rendering alone when it
    already names the type (``"an int of 5001 digits"``).

    >>> typed(1.5), typed(10**5000)
    ('float 1.5', 'an int of about 5001 digits')
    """
    text = render(value)
    kind = _type_name(value)
    if text.startswith((f"a {kind}", f"an {kind}")):
        return text
    return f"{kind} {text}"


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
        try:
            check(error, "", item)
            continue
        except Exception:  # refused: checked again below, for the error naming the item
            pass
        # Outside the handler, so that the error carries no chained context.
        check(error, f"{field}[{index}]", item)
    return items


def check_count(error: FieldError, field: str, value: object, *, minimum: int = 0) -> int:
    """An ``int`` (not a ``bool``) ≥ ``minimum`` and below :data:`MAX_AMOUNT`."""
    if type(value) is not int:
        raise error(field, f"expected an int, got {typed(value)}")
    if value < minimum:
        raise error(field, f"must be ≥ {minimum}, got {render(value)}")
    if value >= MAX_AMOUNT:
        raise error(field, f"must be below 10^100, got {render(value)}")
    return value


def check_amount(error: FieldError, field: str, value: object, *, negative: bool = False) -> int:
    """An amount in milli-units: an ``int`` with ``|value| < 10^100``, ≥ 0 unless
    ``negative``."""
    if type(value) is not int:
        raise error(field, f"expected an int of milli-units, got {typed(value)}")
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
        raise error(field, f"expected a {kind.__name__}, got {typed(value)}")
    return value


def check_printable(error: FieldError, field: str, value: object) -> str:
    """Text that may be empty (a label value, a GPU model): a ``str`` of printable
    characters. Control characters and lone surrogates are refused, as by :func:`check_name`.
    """
    if not isinstance(value, str):
        raise error(field, f"expected a string, got {typed(value)}")
    if not value.isprintable():
        raise error(field, f"must be printable text, got {render(value)}")
    return value


def check_string(error: FieldError, field: str, value: object) -> str:
    """An opaque string (a UID): any ``str`` that UTF-8 can encode, the empty one included.

    Opaque strings are hashed or compared, never shown, so control characters and
    unassigned code points are accepted; only lone surrogates, which have no UTF-8 form
    (Go's ``hash/fnv`` reads bytes), are refused.
    """
    if not isinstance(value, str):
        raise error(field, f"expected a string, got {typed(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise error(field, f"must be encodable as UTF-8, got {render(value)}") from None
    return value


def check_decimal(error: FieldError, field: str, value: object, *, bounded: bool = True) -> Decimal:
    """A price or a cost: a finite :class:`~decimal.Decimal` ≥ 0, below :data:`MAX_AMOUNT`
    when ``bounded`` (prices are; a cost, a product of bounded factors, need not be).

    A ``float`` is refused (it cannot be exact), and so is an ``int``: a price is a decimal
    amount of money, and a typed record keeps one type per field.
    """
    if not isinstance(value, Decimal):
        raise error(field, f"expected a Decimal, got {typed(value)}")
    # is_finite first: comparing a signalling NaN raises decimal.InvalidOperation.
    if not value.is_finite():
        raise error(field, f"must be finite, got {render(value)}")
    if value < 0:
        raise error(field, f"must not be negative, got {render(value)}")
    if bounded and value >= MAX_AMOUNT:
        raise error(field, f"must be below 10^100, got {render(value)}")
    return value


def check_resources(
    error: FieldError, field: str, value: object, *, negative: bool = False
) -> Resources:
    """A :class:`~invsched.resources.Resources` (its amounts are within :data:`MAX_AMOUNT`
    by construction), every amount ≥ 0 unless ``negative``."""
    if not isinstance(value, _resources_class()):
        raise error(field, f"expected Resources, got {typed(value)}")
    if not negative:
        for key in value.negative_keys():
            raise error(f"{field}.{short(key)}", f"must be ≥ 0, got {value[key]}")
    return value


def check_tuple_of(error: FieldError, field: str, value: object, kind: type[_T]) -> tuple[_T, ...]:
    """A sequence (never a string, bytes or a mapping) of instances of ``kind``; as a tuple."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        got = typed(value)
        raise error(field, f"expected a sequence of {kind.__name__}, got {got}")
    items = tuple(value)
    for index, item in enumerate(items):
        check_instance(error, f"{field}[{index}]", item, kind)
    return items


def check_mapping(
    error: FieldError,
    field: str,
    value: object,
    check_key: Callable[[FieldError, str, object], object],
    check_value: Callable[[FieldError, str, object], object],
) -> dict[Any, Any]:
    """A mapping whose keys pass ``check_key`` (as ``field key``) and whose values pass
    ``check_value`` (as ``field[key]``); copied into a plain ``dict``.

    >>> from invsched.errors import InvalidRequest
    >>> check_counts(InvalidRequest, "weights", {"a": -1})
    Traceback (most recent call last):
    ...
    invsched.errors.InvalidRequest: weights['a']: must be ≥ 0, got -1
    """
    if not isinstance(value, Mapping):
        raise error(field, f"expected a mapping, got {typed(value)}")
    out: dict[Any, Any] = {}
    for key, item in value.items():
        try:
            # Paths are built only for the error: rendering every key would cost more than
            # the checks.
            check_key(error, "", key)
            check_value(error, "", item)
            out[key] = item
            continue
        except Exception:  # refused: checked again below, for the error naming the entry
            pass
        # Outside the handler, so that the error carries no chained context.
        check_key(error, f"{field} key", key)
        check_value(error, f"{field}[{render(key)}]", item)
        out[key] = item
    return out


def check_counts(
    error: FieldError, field: str, value: object, *, minimum: int = 0
) -> dict[str, int]:
    """A mapping name → count (:func:`check_name` keys, :func:`check_count` values)."""
    if not isinstance(value, Mapping):
        raise error(field, f"expected a mapping, got {typed(value)}")
    out: dict[str, int] = {}
    for key, item in value.items():
        # Inline test for the common case (division takes maps of 10^4 clusters).
        if (
            type(item) is int
            and minimum <= item < MAX_AMOUNT
            and isinstance(key, str)
            and key
            and key.isprintable()
        ):
            out[key] = item
            continue
        check_name(error, f"{field} key", key)
        check_count(error, f"{field}[{render(key)}]", item, minimum=minimum)
    return out


def check_labels(error: FieldError, field: str, value: object) -> dict[str, str]:
    """Labels: a mapping name → printable text (a label value may be empty, as in
    Kubernetes)."""
    return check_mapping(error, field, value, check_name, check_printable)


# Converters and validator factories --------------------------------------------------------


def to_tuple(value: object) -> object:
    """A converter: any iterable but a string, bytes or a mapping becomes a tuple; anything
    else is left for the field's validator to refuse with its name."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        return value
    return tuple(value)


def to_frozen_map(value: object) -> object:
    """A converter: a mapping becomes a :class:`~invsched.frozenmap.FrozenMap` when it can
    (ordered, hashable keys and hashable values); anything else is left for the field's
    validator (:func:`mapping_field`) to refuse with its name."""
    frozen_map = _frozen_map_class()
    if isinstance(value, frozen_map) or not isinstance(value, Mapping):
        return value
    try:
        return frozen_map(value)
    except ValueError:  # FrozenMap's InvalidRequest: the validator says what is wrong
        return value


def _field_validator(
    error: FieldError, check: Callable[[FieldError, str, object], object]
) -> Validator:
    def validate(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        try:
            # The path is built only for the error (records are built in hot loops).
            check(error, "", value)
            return
        except Exception:  # refused: checked again below, for the error naming the field
            pass
        # Outside the handler, so that the error carries no chained context.
        check(error, field_path(instance, attribute), value)

    return validate


def bool_field(error: FieldError) -> Validator:
    """A validator accepting only ``True`` and ``False`` (not ``0``, ``1`` or ``None``)."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        check_bool(error, attribute.name, value)

    return check


def flag_field(error: FieldError) -> Validator:
    """A validator accepting only ``True`` and ``False``, naming the field ``Owner.field``
    (:func:`bool_field` names it by the attribute alone)."""
    return _field_validator(error, check_bool)


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
        if type(value) is not int or not minimum <= value < MAX_AMOUNT:
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
        if isinstance(value, tuple) and all(isinstance(item, kind) for item in value):
            return
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


def printable_field(error: FieldError) -> Validator:
    """A validator for text that may be empty (:func:`check_printable`)."""
    return _field_validator(error, check_printable)


def string_field(error: FieldError) -> Validator:
    """A validator for an opaque string (:func:`check_string`)."""
    return _field_validator(error, check_string)


def decimal_field(error: FieldError, *, bounded: bool = True) -> Validator:
    """A validator for a price or a cost (:func:`check_decimal`)."""

    def validate(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        try:
            check_decimal(error, "", value, bounded=bounded)
            return
        except Exception:  # refused: checked again below, for the error naming the field
            pass
        check_decimal(error, field_path(instance, attribute), value, bounded=bounded)

    return validate


def resources_field(error: FieldError, *, negative: bool = False) -> Validator:
    """A validator for a :class:`~invsched.resources.Resources` (:func:`check_resources`)."""

    def validate(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        try:
            check_resources(error, "", value, negative=negative)
            return
        except Exception:  # refused: checked again below, for the error naming the field
            pass
        check_resources(error, field_path(instance, attribute), value, negative=negative)

    return validate


def mapping_field(
    error: FieldError,
    check_key: Callable[[FieldError, str, object], object],
    check_value: Callable[[FieldError, str, object], object],
) -> Validator:
    """A validator for a mapping field (use with ``converter=to_frozen_map``): a
    :class:`~invsched.frozenmap.FrozenMap` whose keys and values pass the checks."""

    def validate(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        try:
            check_mapping(error, "", value, check_key, check_value)
            refused = False
        except Exception:  # refused: checked again below, for the error naming the field
            refused = True
        if refused:
            check_mapping(error, field_path(instance, attribute), value, check_key, check_value)
        if not isinstance(value, _frozen_map_class()):
            # Unreachable with the usual checks (names and hashable values always convert);
            # kept so that a field never holds a mutable mapping.
            where = field_path(instance, attribute)
            raise error(where, f"expected a mapping that can be frozen, got {render(value)}")

    return validate
