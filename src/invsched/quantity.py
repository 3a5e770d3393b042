"""Kubernetes quantities: parsing to exact integer milli-units and canonical formatting.

The grammar and rounding follow Kubernetes ``k8s.io/apimachinery/pkg/api/resource``
(``quantity.go``, ``suffix.go``, ``amount.go``)::

    <quantity>        ::= <signedNumber><suffix>
    <signedNumber>    ::= [+-] <digits> | [+-] <digits>.<digits> | [+-] <digits>. | [+-] .<digits>
    <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
    <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
    <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
    <decimalExponent> ::= e <signedInteger> | E <signedInteger>

A value is exact until it is stored. Like ``ParseQuantity``, a value finer than one nano-unit
rounds **away from zero** to the nano-unit (``0.9n`` is ``1n``), and like ``MilliValue`` a
value finer than one milli-unit rounds away from zero to the milli-unit (``1n`` is 1 milli-unit,
``-1n`` is -1). Rounding twice away from zero equals rounding once, so both stages agree.

Two paths give the same results: a fast one for the spellings that dominate real manifests (an
unsigned integer, optionally followed by one suffix: ``"16"``, ``"500m"``, ``"50Gi"``) and an
exact one, in integer arithmetic, for everything else.
"""

from __future__ import annotations

import enum
from typing import Final

from invsched._validators import check_bool, render
from invsched.errors import InvalidQuantity, InvalidRequest

__all__ = [
    "MAX_QUANTITY_DIGITS",
    "QuantityFormat",
    "canonical_quantity",
    "format_quantity",
    "parse_quantity",
]

#: Largest number of decimal digits a quantity may have once expressed in milli-units
#: (``|milli| < 10**MAX_QUANTITY_DIGITS``), and the most significant digits a number with a
#: binary suffix may carry. Kubernetes keeps large values as arbitrary-precision decimals; we
#: accept every value a cluster meets but refuse ones (``1e999999999``) whose construction
#: would exhaust memory. The bound applies alike to parsing and formatting, so that every
#: accepted value round-trips.
MAX_QUANTITY_DIGITS: Final = 100

_MILLI_LIMIT: Final = 10**MAX_QUANTITY_DIGITS
_NANO_PER_MILLI: Final = 10**6
_NANO_PER_UNIT: Final = 10**9
_BINARY_MINIMUM_NANO: Final = 1024 * _NANO_PER_UNIT
_INT64_EXPONENT_DIGITS: Final = 19  # ``strconv.ParseInt(..., 64)`` accepts |e| < 2**63

_DIGITS: Final = frozenset("0123456789")
# The letters apimachinery's scanner (``parseQuantityString``) accepts in a suffix.
_SUFFIX_LETTERS: Final = frozenset("eEinumkKMGTP")

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
_DECIMAL_SUFFIX_BY_EXPONENT: Final = {exponent: s for s, exponent in _DECIMAL_SI.items()}
_BINARY_SUFFIXES: Final = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")
_LARGEST_BINARY_POWER: Final = len(_BINARY_SUFFIXES) - 1

# Fast path: an unsigned integer mantissa of at most this many characters times one suffix is
# (multiplier, divisor) milli-units; a divisor rounds away from zero, i.e. up for a mantissa
# that has no sign.
_FAST_MAX_LENGTH: Final = 18
_FAST_DECIMAL: Final[dict[str, tuple[int, int]]] = {
    "n": (1, 10**6),
    "u": (1, 10**3),
    "m": (1, 1),
    "k": (10**6, 1),
    "M": (10**9, 1),
    "G": (10**12, 1),
    "T": (10**15, 1),
    "P": (10**18, 1),
    "E": (10**21, 1),
}
_FAST_BINARY: Final[dict[str, tuple[int, int]]] = {
    suffix: (1000 << exponent, 1) for suffix, exponent in _BINARY_SI.items()
}


class QuantityFormat(enum.Enum):
    """How a quantity was written, which decides its canonical form (Kubernetes ``Format``).

    >>> QuantityFormat("BinarySI")
    <QuantityFormat.BINARY_SI: 'BinarySI'>
    """

    DECIMAL_SI = "DecimalSI"
    BINARY_SI = "BinarySI"
    DECIMAL_EXPONENT = "DecimalExponent"


def _scan(text: str) -> tuple[bool, str, str, str]:
    """Split ``text`` into (negative, integer digits, fraction digits, suffix).

    A restatement of apimachinery's ``parseQuantityString`` scanner, leniencies included:
    ``"1."``, ``".5"``, ``"."`` and a lone sign are numbers, leading zeros are dropped, and the
    suffix is any run of suffix letters, then an optional sign, then digits.
    """
    end = len(text)
    pos = 0
    negative = False
    if text[0] in "+-":
        negative = text[0] == "-"
        pos = 1
    start = pos
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    whole = text[start:pos]
    fraction = ""
    if pos < end and text[pos] == ".":
        pos += 1
        start = pos
        while pos < end and text[pos] in _DIGITS:
            pos += 1
        fraction = text[start:pos]
    suffix_start = pos
    while pos < end and text[pos] in _SUFFIX_LETTERS:
        pos += 1
    if pos < end and text[pos] in "+-":
        pos += 1
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    if pos < end:
        raise InvalidQuantity(text, f"unexpected character {render(text[pos])} at position {pos}")
    return negative, whole, fraction, text[suffix_start:]


def _interpret_suffix(text: str, suffix: str) -> tuple[int, int, QuantityFormat]:
    """Return (base, exponent, format) for a suffix, as apimachinery's ``suffixer.interpret``."""
    exponent = _DECIMAL_SI.get(suffix)
    if exponent is not None:
        return 10, exponent, QuantityFormat.DECIMAL_SI
    exponent = _BINARY_SI.get(suffix)
    if exponent is not None:
        return 2, exponent, QuantityFormat.BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        signed = suffix[1:]
        unsigned = signed[1:] if signed[0] in "+-" else signed
        if unsigned and all(c in _DIGITS for c in unsigned):
            # Upstream reads the exponent with strconv.ParseInt(s, 10, 64): out of int64 range
            # is an error there too. (It then truncates to int32; we keep the exact exponent
            # and let _parse_nano's digit limit refuse it or round it to 1n.) Leading zeros
            # are dropped before int(), which refuses strings of more than 4300 digits.
            significant = unsigned.lstrip("0") or "0"
            if len(significant) <= _INT64_EXPONENT_DIGITS:
                value = -int(significant) if signed[0] == "-" else int(significant)
                if -(2**63) <= value < 2**63:
                    return 10, value, QuantityFormat.DECIMAL_EXPONENT
            raise InvalidQuantity(text, f"exponent {render(signed)} does not fit in 64 bits")
    raise InvalidQuantity(text, f"unknown suffix {render(suffix)}")


def _too_large(text: str | int) -> InvalidQuantity:
    return InvalidQuantity(text, f"exceeds the supported range of {MAX_QUANTITY_DIGITS} digits")


def _round_away(value: int, divisor: int) -> int:
    """``value / divisor`` rounded away from zero (``inf.RoundUp``, ``negativeScaleInt64``)."""
    quotient = -(-abs(value) // divisor)
    return quotient if value >= 0 else -quotient


def _parse_nano(text: str) -> tuple[int, QuantityFormat]:
    """Parse ``text`` exactly into nano-units (rounded away from zero) and its format.

    This is the value ``ParseQuantity`` stores, whatever the spelling; every check of the
    grammar and of :data:`MAX_QUANTITY_DIGITS` happens here.
    """
    if not text:
        raise InvalidQuantity(text, "empty string")
    negative, whole, fraction, suffix = _scan(text)
    base, exponent, fmt = _interpret_suffix(text, suffix)
    # value = int(digits) * 10**scale * base**exponent, with digits free of outer zeros.
    digits = (whole + fraction).lstrip("0")
    if not digits:
        return 0, fmt
    scale = -len(fraction)
    significant = digits.rstrip("0")
    scale += len(digits) - len(significant)
    digits = significant
    # 10**(top - 1) <= int(digits) * 10**scale < 10**top
    top = len(digits) + scale
    if base == 10:
        top += exponent
        scale += exponent
        if top + 2 >= MAX_QUANTITY_DIGITS:
            raise _too_large(text)
        if top <= -9:
            # Below one nano-unit: rounds away from zero to 1n, without building 10**-scale
            # (apimachinery pins "1e-2147483647" → 1n in quantity_subnano_test.go).
            nano = 1
        elif scale >= -9:
            nano = int(digits) * 10 ** (scale + 9)
        else:
            # Keep the digits down to the nano-unit; the cut tail ends in a non-zero digit,
            # so it always rounds the kept part up by one.
            nano = int(digits[: top + 9]) + 1
    else:
        if len(digits) > MAX_QUANTITY_DIGITS:
            reason = f"has more than {MAX_QUANTITY_DIGITS} significant digits with a binary suffix"
            raise InvalidQuantity(text, reason)
        if top > MAX_QUANTITY_DIGITS:
            raise _too_large(text)
        if top + 19 <= -9:
            # Even times 2**60 < 10**19 the value stays below one nano-unit.
            nano = 1
        elif scale >= -9:
            nano = (int(digits) << exponent) * 10 ** (scale + 9)
        else:
            nano = _round_away(int(digits) << exponent, 10 ** (-9 - scale))
        if nano < _NANO_PER_UNIT:
            # ParseQuantity: a BinarySI value strictly between 0 and 1 becomes DecimalSI.
            fmt = QuantityFormat.DECIMAL_SI
    if _round_away(nano, _NANO_PER_MILLI) >= _MILLI_LIMIT:
        raise _too_large(text)
    return (-nano if negative else nano), fmt


def _parse_exact(text: str | int) -> tuple[int, QuantityFormat]:
    """Nano-units and format of a quantity string or int, for the exact (slow) path."""
    if type(text) is int:
        if not -_MILLI_LIMIT < text * 1000 < _MILLI_LIMIT:
            raise _too_large(text)
        return text * _NANO_PER_UNIT, QuantityFormat.DECIMAL_SI
    if not isinstance(text, str):
        raise InvalidQuantity(text, f"expected a string or an int, got {type(text).__name__}")
    return _parse_nano(text)


def _parse_milli_exact(text: str | int) -> int:
    """:func:`parse_quantity` without its fast path (the reference the fast path must equal)."""
    nano, _ = _parse_exact(text)
    return _round_away(nano, _NANO_PER_MILLI)


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
            is not a ``str``/``int``, or it has more than :data:`MAX_QUANTITY_DIGITS` digits
            in milli-units.
        InvalidRequest: ``field`` is not a string.

    Runtime complexity: O(len(text)).

    >>> parse_quantity("500m"), parse_quantity("2"), parse_quantity(16)
    (500, 2000, 16000)
    >>> parse_quantity("1Gi")
    1073741824000
    >>> parse_quantity("1n"), parse_quantity("-1n")
    (1, -1)
    >>> try:
    ...     parse_quantity("12x", field="min.cpu")
    ... except InvalidQuantity as error:
    ...     print(error)
    min.cpu: invalid quantity '12x': unexpected character 'x' at position 2
    """
    if type(field) is not str:
        # The field is only read on error, where a junk field would break the message.
        raise InvalidRequest("field", f"expected a string, got {type(field).__name__}")
    # Fast path: an unsigned integer with at most one suffix. Every branch computes what the
    # exact path computes (a differential property test holds them equal).
    if type(text) is str and len(text) <= _FAST_MAX_LENGTH and text.isascii():
        if text.isdigit():
            return int(text) * 1000
        if text:
            if text[-1] == "i":
                rule = _FAST_BINARY.get(text[-2:])
                mantissa = text[:-2]
            else:
                rule = _FAST_DECIMAL.get(text[-1])
                mantissa = text[:-1]
            if rule is not None and mantissa.isdigit():
                multiplier, divisor = rule
                if divisor == 1:
                    return int(mantissa) * multiplier
                return -(-int(mantissa) // divisor)
    try:
        return _parse_milli_exact(text)
    except InvalidQuantity as error:
        if field:
            raise InvalidQuantity(error.value, error.reason, field) from None
        raise


def format_quantity(milli: int, *, binary: bool = False) -> str:
    """Format milli-units as the canonical Kubernetes string.

    Decimal form uses the largest SI suffix that keeps an integer mantissa (``"1500m"``,
    ``"2k"``, ``"1M"``), and exponent notation past ``E`` (``"1e21"``), as Kubernetes'
    ``CanonicalizeBytes`` does for ``DecimalSI``. With ``binary=True`` whole values of at least
    1024 use the largest binary suffix that keeps an integer (``"50Gi"``, ``"1536Mi"``), and
    anything else falls back to decimal, as ``CanonicalizeBytes`` does for ``BinarySI``.

    ``parse_quantity(format_quantity(x, binary=b)) == x`` for every accepted ``x`` and flag
    ``b``.

    Raises:
        InvalidQuantity: ``milli`` is not an ``int`` (``bool`` and ``float`` included), or it
            has more than :data:`MAX_QUANTITY_DIGITS` digits.
        InvalidRequest: ``binary`` is not a ``bool``.

    Runtime complexity: O(d²) for a value of d digits (string conversion); d ≤ 100.

    >>> format_quantity(500), format_quantity(1500), format_quantity(2_000_000)
    ('500m', '1500m', '2k')
    >>> format_quantity(50 * 1024**3 * 1000, binary=True), format_quantity(1024, binary=True)
    ('50Gi', '1024m')
    >>> format_quantity(0), format_quantity(-250)
    ('0', '-250m')
    """
    if type(milli) is not int:
        raise InvalidQuantity(milli, f"expected an int of milli-units, got {type(milli).__name__}")
    check_bool(InvalidRequest, "binary", binary)
    if not -_MILLI_LIMIT < milli < _MILLI_LIMIT:
        raise _too_large(milli)
    fmt = QuantityFormat.BINARY_SI if binary else QuantityFormat.DECIMAL_SI
    return _canonical(milli * _NANO_PER_MILLI, fmt)


def canonical_quantity(text: str | int) -> str:
    """Return Kubernetes' canonical string for a quantity (``Quantity.String()``).

    The canonical form keeps the format the value was written in: a binary suffix gives a
    binary form, an exponent gives an exponent form, anything else a decimal SI form. Values
    finer than one nano-unit round away from zero to the nano-unit first, as
    ``ParseQuantity`` does. An ``int`` is a number of base units in decimal form.

    Raises:
        InvalidQuantity: as :func:`parse_quantity`.

    Runtime complexity: O(len(text) + d²) for a value of d digits.

    >>> canonical_quantity("1.5Gi"), canonical_quantity("1000"), canonical_quantity("1e3")
    ('1536Mi', '1k', '1e3')
    >>> canonical_quantity("0.9n"), canonical_quantity("-0.5"), canonical_quantity(2048)
    ('1n', '-500m', '2048')
    """
    nano, fmt = _parse_exact(text)
    return _canonical(nano, fmt)


def _canonical(nano: int, fmt: QuantityFormat) -> str:
    """Kubernetes' ``CanonicalizeBytes`` for a value held in nano-units."""
    if nano == 0:
        return "0"
    sign = "-" if nano < 0 else ""
    magnitude = -nano if nano < 0 else nano
    if (
        fmt is QuantityFormat.BINARY_SI
        and magnitude >= _BINARY_MINIMUM_NANO
        and magnitude % _NANO_PER_UNIT == 0
    ):
        units = magnitude // _NANO_PER_UNIT
        # The number of whole factors of 1024 is the count of trailing zero bits // 10.
        power = min(((units & -units).bit_length() - 1) // 10, _LARGEST_BINARY_POWER)
        return f"{sign}{units >> (10 * power)}{_BINARY_SUFFIXES[power]}"
    # Decimal: move every factor of ten into the exponent, then lower the exponent to a
    # multiple of three (amount.go ``AsCanonicalBytes``).
    digits = str(magnitude)
    mantissa = digits.rstrip("0")
    exponent = len(digits) - len(mantissa) - 9
    padding = exponent % 3
    mantissa += "0" * padding
    exponent -= padding
    if fmt is QuantityFormat.DECIMAL_EXPONENT:
        suffix = f"e{exponent}" if exponent else ""
    else:
        # DecimalSI has no suffix past E (10**18): quantity.go falls back to exponent notation.
        suffix = _DECIMAL_SUFFIX_BY_EXPONENT.get(exponent, f"e{exponent}")
    return f"{sign}{mantissa}{suffix}"
