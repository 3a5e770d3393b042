"""Kubernetes quantities: parsing to exact integer milli-units and canonical formatting.

The grammar and rounding follow Kubernetes ``k8s.io/apimachinery/pkg/api/resource``
(``quantity.go``, ``suffix.go``)::

    <quantity>        ::= <signedNumber><suffix>
    <signedNumber>    ::= [+-] <digits> | [+-] <digits>.<digits> | [+-] <digits>. | [+-] .<digits>
    <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
    <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
    <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
    <decimalExponent> ::= e <signedInteger> | E <signedInteger>

A value is exact until it is converted to milli-units, where a value finer than one milli-unit
rounds **away from zero**, as Kubernetes' ``Quantity.MilliValue`` does (``1n`` → 1 milli-unit,
``-1n`` → -1).
"""

from __future__ import annotations

import enum
from fractions import Fraction
from typing import Final

import attrs

from invsched.errors import InvalidQuantity

__all__ = [
    "MAX_QUANTITY_DIGITS",
    "QuantityFormat",
    "canonical_quantity",
    "format_quantity",
    "parse_quantity",
]

#: Largest number of decimal digits (in milli-units) a quantity may have. Kubernetes stores
#: large values as arbitrary-precision decimals; we accept the same values but refuse ones so
#: large (``1e999999999``) that building them would exhaust memory.
MAX_QUANTITY_DIGITS: Final = 100

_SUFFIX_CHARS: Final = frozenset("eEinumkKMGTP")
_DIGITS: Final = frozenset("0123456789")

_DECIMAL_SI: Final[dict[str, int]] = {
    "n": -9,
    "u": -6,
    "m": -3,
    "": 0,
    "k": 3,
    "M": 6,
    "G": 9,
    "T": 12,
    "P": 15,
    "E": 18,
}
_BINARY_SI: Final[dict[str, int]] = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_BY_EXPONENT: Final = {v: k for k, v in _DECIMAL_SI.items()}
_BINARY_BY_EXPONENT: Final = {v: k for k, v in _BINARY_SI.items()}


class QuantityFormat(enum.Enum):
    """How a quantity was written, which decides its canonical form (Kubernetes ``Format``)."""

    DECIMAL_SI = "DecimalSI"
    BINARY_SI = "BinarySI"
    DECIMAL_EXPONENT = "DecimalExponent"


@attrs.frozen(kw_only=True)
class _Parsed:
    """An exactly parsed quantity: ``value`` in base units, and the format it was written in."""

    value: Fraction
    format: QuantityFormat


def _split(text: str) -> tuple[bool, str, str, str]:
    """Split ``text`` into (positive, integer digits, fraction digits, suffix).

    A faithful restatement of apimachinery's ``parseQuantityString`` state machine, including
    its leniencies (``"1."`` and ``".5"`` are numbers; leading zeros are dropped).
    """
    positive = True
    pos = 0
    end = len(text)
    if pos < end and text[0] in "+-":
        positive = text[0] == "+"
        pos += 1
    while pos < end and text[pos] == "0":
        pos += 1
    if pos >= end:
        return positive, "0", "", ""
    start = pos
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    whole = text[start:pos] or "0"
    fraction = ""
    if pos < end and text[pos] == ".":
        pos += 1
        start = pos
        while pos < end and text[pos] in _DIGITS:
            pos += 1
        fraction = text[start:pos]
    suffix_start = pos
    while pos < end and text[pos] in _SUFFIX_CHARS:
        pos += 1
    if pos < end and text[pos] in "+-":
        pos += 1
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    if pos < end:
        raise InvalidQuantity(text, f"unexpected character {text[pos]!r} at position {pos}")
    return positive, whole, fraction, text[suffix_start:]


def _interpret_suffix(text: str, suffix: str) -> tuple[int, int, QuantityFormat]:
    """Return (base, exponent, format) for a suffix, as apimachinery's ``suffixer.interpret``."""
    if suffix in _DECIMAL_SI:
        return 10, _DECIMAL_SI[suffix], QuantityFormat.DECIMAL_SI
    if suffix in _BINARY_SI:
        return 2, _BINARY_SI[suffix], QuantityFormat.BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        digits = suffix[1:]
        body = digits[1:] if digits[0] in "+-" else digits
        if body and all(c in _DIGITS for c in body):
            exponent = int(digits)
            return 10, exponent, QuantityFormat.DECIMAL_EXPONENT
    raise InvalidQuantity(text, f"unknown suffix {suffix!r}")


def _parse_exact(text: str | int) -> _Parsed:
    if type(text) is int:
        return _Parsed(value=Fraction(text), format=QuantityFormat.DECIMAL_SI)
    if not isinstance(text, str):
        raise InvalidQuantity(text, f"expected a string or an int, got {type(text).__name__}")
    if not text:
        raise InvalidQuantity(text, "empty string")
    positive, whole, fraction, suffix = _split(text)
    base, exponent, fmt = _interpret_suffix(text, suffix)
    mantissa = int(whole + fraction)
    scale = -len(fraction)
    if base == 10:
        scale += exponent
        # Guard memory before building 10**scale: the digits the value would have in milli-units.
        if mantissa and len(str(mantissa)) + scale + 3 > MAX_QUANTITY_DIGITS:
            raise InvalidQuantity(
                text, f"exceeds the supported range of {MAX_QUANTITY_DIGITS} digits"
            )
        if mantissa and len(str(mantissa)) + scale < -9:
            # Below one nano-unit: every such value rounds to the smallest unit (away from
            # zero), so a stand-in below 1n is exact for every rounding we do and avoids
            # building 10**999999999 for "1e-999999999".
            value = Fraction(1, 10**10)
        else:
            value = Fraction(mantissa) * (Fraction(10) ** scale)
    else:
        value = Fraction(mantissa * (1 << exponent), 10**-scale)
    if not positive:
        value = -value
    return _Parsed(value=value, format=fmt)


def _round_away(value: Fraction, unit: Fraction) -> int:
    """``value / unit`` as an integer, rounded away from zero (Kubernetes ``RoundUp``)."""
    scaled = value / unit
    magnitude = -((-abs(scaled.numerator)) // scaled.denominator)
    return magnitude if scaled >= 0 else -magnitude


def parse_quantity(text: str | int, *, field: str = "") -> int:
    """Parse a Kubernetes quantity into integer milli-units.

    Args:
        text: a quantity string (``"500m"``, ``"50Gi"``, ``"1e3"``) or an ``int`` of base
            units (``16`` means 16 GPUs = 16000 milli-units). ``bool`` and ``float`` are
            rejected: a float cannot be exact.
        field: the field path named in the error message, if any.

    Returns:
        The value in milli-units; a value finer than one milli-unit rounds away from zero, as
        Kubernetes' ``MilliValue``.

    Raises:
        InvalidQuantity: the text does not match the grammar, the suffix is unknown, the value
            is not a ``str``/``int``, or it has more than :data:`MAX_QUANTITY_DIGITS` digits.

    Runtime complexity: O(len(text)).

    >>> parse_quantity("500m"), parse_quantity("2"), parse_quantity(16)
    (500, 2000, 16000)
    >>> parse_quantity("1Gi")
    1073741824000
    >>> parse_quantity("1n"), parse_quantity("-1n")
    (1, -1)
    """
    try:
        parsed = _parse_exact(text)
    except InvalidQuantity as error:
        if field:
            raise InvalidQuantity(error.value, error.reason, field) from None
        raise
    return _round_away(parsed.value, Fraction(1, 1000))


def format_quantity(milli: int, *, binary: bool = False) -> str:
    """Format milli-units as the canonical Kubernetes string.

    Decimal form uses the largest SI suffix that keeps an integer mantissa (``"1500m"``,
    ``"2k"``, ``"1M"``); with ``binary=True`` whole values of at least 1024 use the largest
    binary suffix that keeps an integer (``"50Gi"``, ``"1536Mi"``), and anything else falls
    back to decimal, as Kubernetes' ``CanonicalizeBytes`` does for ``BinarySI``.

    ``parse_quantity(format_quantity(x, binary=b)) == x`` for every int ``x`` and flag ``b``.

    Raises:
        InvalidQuantity: ``milli`` is not an ``int`` (``bool`` and ``float`` included).

    Runtime complexity: O(d) for a value of d digits.

    >>> format_quantity(500), format_quantity(1500), format_quantity(2_000_000)
    ('500m', '1500m', '2k')
    >>> format_quantity(50 * 1024**3 * 1000, binary=True)
    '50Gi'
    >>> format_quantity(0)
    '0'
    """
    if type(milli) is not int:
        raise InvalidQuantity(milli, f"expected an int of milli-units, got {type(milli).__name__}")
    fmt = QuantityFormat.BINARY_SI if binary else QuantityFormat.DECIMAL_SI
    return _canonical(Fraction(milli, 1000), fmt)


def canonical_quantity(text: str | int) -> str:
    """Return Kubernetes' canonical string for a quantity (``Quantity.String()``).

    The canonical form keeps the format the value was written in: a binary suffix gives a
    binary form, an exponent gives an exponent form, anything else a decimal SI form. Values
    finer than one nano-unit round away from zero to the nano-unit first, as
    ``ParseQuantity`` does.

    Raises:
        InvalidQuantity: as :func:`parse_quantity`.

    Runtime complexity: O(d) for a value of d digits.

    >>> canonical_quantity("1.5Gi"), canonical_quantity("1000"), canonical_quantity("1e3")
    ('1536Mi', '1k', '1e3')
    """
    parsed = _parse_exact(text)
    nano = _round_away(parsed.value, Fraction(1, 10**9))
    return _canonical(Fraction(nano, 10**9), parsed.format)


def _remove_factors(value: int, factor: int) -> tuple[int, int]:
    times = 0
    while value and value % factor == 0:
        value //= factor
        times += 1
    return value, times


def _canonical(value: Fraction, fmt: QuantityFormat) -> str:
    if value == 0:
        return "0"
    if fmt is QuantityFormat.BINARY_SI and (abs(value) < 1024 or value.denominator != 1):
        fmt = QuantityFormat.DECIMAL_SI
    if fmt is QuantityFormat.BINARY_SI:
        _, times = _remove_factors(value.numerator, 1024)
        exponent = min(times * 10, 60)
        return f"{value.numerator >> exponent}{_BINARY_BY_EXPONENT.get(exponent, '')}"
    # Decimal: mantissa x 10**exponent with the exponent a multiple of 3.
    denominator_digits = 0
    while (10**denominator_digits) % value.denominator:
        denominator_digits += 1
    mantissa = value.numerator * 10**denominator_digits // value.denominator
    exponent = -denominator_digits
    mantissa, times = _remove_factors(mantissa, 10)
    exponent += times
    while exponent % 3:
        mantissa *= 10
        exponent -= 1
    if fmt is QuantityFormat.DECIMAL_EXPONENT:
        return f"{mantissa}" if exponent == 0 else f"{mantissa}e{exponent}"
    if exponent > 18:
        mantissa *= 10 ** (exponent - 18)
        exponent = 18
    if exponent < -9:
        # Unreachable for values rounded to nano-units; kept total for safety.
        return f"{mantissa}e{exponent}"
    return f"{mantissa}{_DECIMAL_BY_EXPONENT[exponent]}"
