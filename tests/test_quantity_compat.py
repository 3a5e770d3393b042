"""Compatibility with Kubernetes ``resource.Quantity``, case by case.

Every case reproduces a row of an upstream test in k8s.io/apimachinery
``pkg/api/resource/quantity_test.go`` (or, where named, ``quantity_subnano_test.go``); the
parametrize id is ``<upstream test function>:<input>``. Expected values are restated here:
``milli`` is what ``Quantity.MilliValue()`` returns and ``canonical`` what
``Quantity.String()`` returns for the quantity upstream expects. Rows where we deliberately
differ from upstream are in ``test_upstream_deviation`` with the reason.
"""

from __future__ import annotations

import pytest

from invsched.errors import InvalidQuantity
from invsched.quantity import canonical_quantity, format_quantity, parse_quantity

KI, MI, GI, TI, PI, EI = (2**10, 2**20, 2**30, 2**40, 2**50, 2**60)


def _row(text: str, milli: int, canonical: str, test: str = "TestQuantityParse") -> object:
    return pytest.param(text, milli, canonical, id=f"{test}:{text}")


# TestQuantityParse, the table of valid inputs: (input, MilliValue, String()).
PARSE_VALID = [
    _row("0", 0, "0"),
    _row("0n", 0, "0"),
    _row("0u", 0, "0"),
    _row("0m", 0, "0"),
    _row("0Ki", 0, "0"),
    _row("0k", 0, "0"),
    _row("0Mi", 0, "0"),
    _row("0M", 0, "0"),
    _row("0Gi", 0, "0"),
    _row("0G", 0, "0"),
    _row("0Ti", 0, "0"),
    _row("0T", 0, "0"),
    # Quantity-less numbers are allowed.
    _row("1", 1000, "1"),
    # Binary suffixes.
    _row("1Ki", KI * 1000, "1Ki"),
    _row("8Ki", 8 * KI * 1000, "8Ki"),
    _row("7Mi", 7 * MI * 1000, "7Mi"),
    _row("6Gi", 6 * GI * 1000, "6Gi"),
    _row("5Ti", 5 * TI * 1000, "5Ti"),
    _row("4Pi", 4 * PI * 1000, "4Pi"),
    _row("3Ei", 3 * EI * 1000, "3Ei"),
    _row("10Ti", 10 * TI * 1000, "10Ti"),
    _row("100Ti", 100 * TI * 1000, "100Ti"),
    # Decimal suffixes.
    _row("5n", 1, "5n"),
    _row("4u", 1, "4u"),
    _row("3m", 3, "3m"),
    _row("9", 9000, "9"),
    _row("8k", 8 * 10**6, "8k"),
    _row("50k", 50 * 10**6, "50k"),
    _row("7M", 7 * 10**9, "7M"),
    _row("6G", 6 * 10**12, "6G"),
    _row("5T", 5 * 10**15, "5T"),
    _row("40T", 40 * 10**15, "40T"),
    _row("300T", 300 * 10**15, "300T"),
    _row("2P", 2 * 10**18, "2P"),
    _row("1E", 10**21, "1E"),
    # Decimal exponents.
    _row("1E-3", 1, "1e-3"),
    _row("1e3", 10**6, "1e3"),
    _row("1E6", 10**9, "1e6"),
    _row("1e9", 10**12, "1e9"),
    _row("1E12", 10**15, "1e12"),
    _row("1e15", 10**18, "1e15"),
    _row("1E18", 10**21, "1e18"),
    # Nonstandard but still parsable.
    _row("1e14", 10**17, "100e12"),
    _row("1e13", 10**16, "10e12"),
    _row("100.035k", 100_035_000, "100035"),
    # Things that look like floating point.
    _row("0.001", 1, "1m"),
    _row("0.0005k", 500, "500m"),
    _row("0.005", 5, "5m"),
    _row("0.05", 50, "50m"),
    _row("0.5", 500, "500m"),
    _row("0.00050k", 500, "500m"),
    _row("0.00500", 5, "5m"),
    _row("0.05000", 50, "50m"),
    _row("0.50000", 500, "500m"),
    _row("0.5e0", 500, "500e-3"),
    _row("0.5e-1", 50, "50e-3"),
    _row("0.5e-2", 5, "5e-3"),
    _row("10.035M", 10_035_000_000, "10035k"),
    _row("1.2e3", 1_200_000, "1200"),
    _row("1.3E+6", 1_300_000_000, "1300e3"),
    _row("1.40e9", 1_400_000_000_000, "1400e6"),
    _row("1.53E12", 1_530 * 10**12, "1530e9"),
    _row("1.6e15", 1_600 * 10**15, "1600e12"),
    _row("1.7E18", 1_700 * 10**18, "1700e15"),
    _row("9.01", 9010, "9010m"),
    _row("8.1k", 8_100_000, "8100"),
    _row("7.123456M", 7_123_456_000, "7123456"),
    _row("6.987654321G", 6_987_654_321_000, "6987654321"),
    _row("5.444T", 5_444 * 10**12, "5444G"),
    _row("40.1T", 40_100 * 10**12, "40100G"),
    _row("300.2T", 300_200 * 10**12, "300200G"),
    _row("2.5P", 2_500 * 10**15, "2500T"),
    _row("1.01E", 1_010 * 10**18, "1010P"),
    # Things that saturate or round (away from zero, to the nano-unit, then the milli-unit).
    _row("3.001n", 1, "4n"),
    _row("1.1E-9", 1, "2e-9"),
    _row("0.0000000001", 1, "1n"),
    _row("0.0000000005", 1, "1n"),
    _row("0.00000000050", 1, "1n"),
    _row("0.5e-9", 1, "1e-9"),
    _row("0.9n", 1, "1n"),
    _row("0.00000012345", 1, "124n"),
    _row("0.00000012354", 1, "124n"),
    _row("12E", 12 * 10**21, "12E"),
    # Fractional binary values: exact, shown in decimal when not a whole number.
    _row("100.035Ki", 102_435_840, "102435840m"),
    _row("0.5Mi", 512 * KI * 1000, "512Ki"),
    _row("0.05Gi", 53_687_091_200, "53687091200m"),
    _row("0.025Ti", 27_487_790_694_400, "27487790694400m"),
    # "Things written by trolls".
    _row("0.000000000001Ki", 1, "2n"),
    _row(".001", 1, "1m"),
    _row(".0001k", 100, "100m"),
    _row("1.", 1000, "1"),
    _row("1.G", 10**12, "1G"),
    # TestStringQuantityAsApproximateFloat64 / TestStringQuantityAsFloat64Slow.
    _row("2Ki", 2048 * 1000, "2Ki", test="TestStringQuantityAsApproximateFloat64"),
    _row("1.1Ki", 1_126_400, "1126400m", test="TestStringQuantityAsApproximateFloat64"),
    _row("1Mi", MI * 1000, "1Mi", test="TestStringQuantityAsApproximateFloat64"),
    _row("2Gi", 2 * GI * 1000, "2Gi", test="TestStringQuantityAsApproximateFloat64"),
    # TestQuantityValueSet.
    _row("1Mi", MI * 1000, "1Mi", test="TestQuantityValueSet"),
    # TestQuantityRoundUp at the milli scale (RoundUp(-3) is MilliValue's rounding).
    _row("9.01", 9010, "9010m", test="TestQuantityRoundUp"),
]


@pytest.mark.parametrize(("text", "milli", "canonical"), PARSE_VALID)
def test_parse_valid(text: str, milli: int, canonical: str) -> None:
    """The row itself, its negation and its explicit ``+`` form, as upstream loops over all."""
    assert parse_quantity(text) == milli
    assert canonical_quantity(text) == canonical
    assert parse_quantity("+" + text) == milli
    assert canonical_quantity("+" + text) == canonical
    assert parse_quantity("-" + text) == -milli
    assert canonical_quantity("-" + text) == ("0" if canonical == "0" else "-" + canonical)


@pytest.mark.parametrize(
    "text",
    [pytest.param(text, id=f"TestParseQuantityString:{text}") for text in (".", "-.", "+.")],
)
def test_lone_point_is_zero(text: str) -> None:
    """parseQuantityString scans a lone point, signed or not, as the number zero."""
    assert parse_quantity(text) == 0
    assert canonical_quantity(text) == "0"


# TestParseQuantity (big values around the int64 limits): (input, String() when not the input).
BIG_VALUES = [
    ("-999999999999999999", None),
    ("999999999999999999", None),
    ("-999999999999999999.0", "-999999999999999999"),
    ("999999999999999999.0", "999999999999999999"),
    ("-999999999999999999.1", "-999999999999999999100m"),
    ("999999999999999999.1", "999999999999999999100m"),
    ("-9999999999999999999", None),
    ("9999999999999999999", None),
    ("-1E", None),
    ("1E", None),
    ("-1000000000000000000", "-1E"),
    ("1000000000000000000", "1E"),
    ("-9999999999999999999.0", "-9999999999999999999"),
    ("9999999999999999999.0", "9999999999999999999"),
    ("-1.0E", "-1E"),
    ("1.0E", "1E"),
    ("-1000000000000000000.0", "-1E"),
    ("1000000000000000000.0", "1E"),
    ("-9999999999999999999000m", "-9999999999999999999"),
    ("9999999999999999999000m", "9999999999999999999"),
    ("-9999999999999999999.1", "-9999999999999999999100m"),
    ("9999999999999999999.1", "9999999999999999999100m"),
    ("-1.0000000000000000001E", "-1000000000000000000100m"),
    ("1.0000000000000000001E", "1000000000000000000100m"),
    ("-1000000000000000000.1", "-1000000000000000000100m"),
    ("1000000000000000000.1", "1000000000000000000100m"),
    ("-1.000000000000000001E", "-1000000000000000001"),
    ("1.000000000000000001E", "1000000000000000001"),
    ("-1000000000000000001", None),
    ("1000000000000000001", None),
    ("-10E", None),
    ("10E", None),
    ("-10000000000000000000", "-10E"),
    ("10000000000000000000", "10E"),
    ("-10.0E", "-10E"),
    ("10.0E", "10E"),
    ("-10000000000000000000.0", "-10E"),
    ("10000000000000000000.0", "10E"),
    ("-10000000000000000000000m", "-10E"),
    ("10000000000000000000000m", "10E"),
    ("-10.0000000000000000001E", "-10000000000000000000100m"),
    ("10.0000000000000000001E", "10000000000000000000100m"),
    ("-10000000000000000000.1", "-10000000000000000000100m"),
    ("10000000000000000000.1", "10000000000000000000100m"),
    ("-10.000000000000000001E", "-10000000000000000001"),
    ("10.000000000000000001E", "10000000000000000001"),
    ("-10000000000000000001", None),
    ("10000000000000000001", None),
    ("-9223372036854775809", None),
    ("9223372036854775806", None),
    ("-9223372036854775809.0", "-9223372036854775809"),
    ("9223372036854775806.0", "9223372036854775806"),
    ("-9223372036854775809000m", "-9223372036854775809"),
    ("9223372036854775806000m", "9223372036854775806"),
    ("-9223372036854775809.1", "-9223372036854775809100m"),
    ("9223372036854775806.1", "9223372036854775806100m"),
    ("-9223372036854775808", None),
    ("9223372036854775807", None),
    ("-9223372036854775808.0", "-9223372036854775808"),
    ("9223372036854775807.0", "9223372036854775807"),
    ("-9223372036854775808000m", "-9223372036854775808"),
    ("9223372036854775807000m", "9223372036854775807"),
    ("-9223372036854775808.1", "-9223372036854775808100m"),
    ("9223372036854775807.1", "9223372036854775807100m"),
    ("-9223372036854775807", None),
    ("9223372036854775808", None),
    ("-9223372036854775807.0", "-9223372036854775807"),
    ("9223372036854775808.0", "9223372036854775808"),
    ("-9223372036854775807000m", "-9223372036854775807"),
    ("9223372036854775808000m", "9223372036854775808"),
    ("-9223372036854775807.1", "-9223372036854775807100m"),
    ("9223372036854775808.1", "9223372036854775808100m"),
]


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        pytest.param(text, canonical, id=f"TestParseQuantity:{text}")
        for text, canonical in BIG_VALUES
    ],
)
def test_parse_big_values(text: str, canonical: str | None) -> None:
    """Values past int64 keep every digit; MilliValue is exact (no int64 overflow here)."""
    expected = canonical or text
    assert canonical_quantity(text) == expected
    # The canonical string carries the exact value: whole units, or milli-units with "m".
    milli = int(expected[:-1]) if expected.endswith("m") else parse_quantity(expected)
    assert parse_quantity(text) == milli


# TestQuantityParse (invalid table), TestQuantityParseNonNumericPanic, TestQuantityValueSet.
INVALID = [
    pytest.param("", "empty string", id="TestQuantityParse:empty"),
    pytest.param("1.1.M", "unexpected character '.' at position 3", id="TestQuantityParse:1.1.M"),
    pytest.param("1+1.0M", "unexpected character '.' at position 3", id="TestQuantityParse:1+1.0M"),
    pytest.param("0.1mi", "unknown suffix 'mi'", id="TestQuantityParse:0.1mi"),
    pytest.param("0.1am", "unexpected character 'a' at position 3", id="TestQuantityParse:0.1am"),
    pytest.param("aoeu", "unexpected character 'a' at position 0", id="TestQuantityParse:aoeu"),
    pytest.param(".5i", "unknown suffix 'i'", id="TestQuantityParse:.5i"),
    pytest.param("1i", "unknown suffix 'i'", id="TestQuantityParse:1i"),
    pytest.param("-3.01i", "unknown suffix 'i'", id="TestQuantityParse:-3.01i"),
    pytest.param("-3.01e-", "unknown suffix 'e-'", id="TestQuantityParse:-3.01e-"),
    pytest.param(" 1", "unexpected character ' ' at position 0", id="TestQuantityParse: 1"),
    pytest.param("1 ", "unexpected character ' ' at position 1", id="TestQuantityParse:1 "),
    pytest.param(
        "Non-Numeric",
        "unexpected character 'N' at position 0",
        id="TestQuantityParseNonNumericPanic:Non-Numeric",
    ),
    pytest.param(
        "invalid", "unexpected character 'v' at position 2", id="TestQuantityValueSet:invalid"
    ),
]


@pytest.mark.parametrize(("text", "reason"), INVALID)
def test_parse_invalid(text: str, reason: str) -> None:
    with pytest.raises(InvalidQuantity) as caught:
        parse_quantity(text)
    assert caught.value.reason == reason
    assert caught.value.value == text
    assert str(caught.value) == f"invalid quantity {text!r}: {reason}"
    with pytest.raises(InvalidQuantity):
        canonical_quantity(text)


# TestQuantityString: (String() of the quantity, an alternate spelling parsing to the same).
STRING_TABLE = [
    ("1Gi", "1024Mi"),
    ("300Mi", "307200Ki"),
    ("6Ki", ""),
    ("1001Gi", "1025024Mi"),
    ("1Ti", "1024Gi"),
    ("5", "5000m"),
    ("500m", "0.5"),
    ("1G", "1000M"),
    ("1G", "0.001T"),
    ("1m", "1000u"),
    ("80m", ""),
    ("1080m", "1.08"),
    ("1080m", "1080000000n"),
    ("300M", ""),
    ("1T", ""),
    ("1E", ""),
    ("1e21", "1000E"),
    ("5e21", "5000E"),
    ("1e24", "1000000E"),
    ("1234567M", ""),
    ("1234567m", ""),
    ("3k", ""),
    ("1025", ""),
    ("0", "00"),
    ("1e9", ".001e12"),
    ("1e-3", "0.001e0"),
    ("1e-9", "1000e-12"),
    ("80e-3", ""),
    ("300e6", ""),
    ("1e12", ""),
    ("1e3", ""),
    ("3e3", ""),
    ("1n", ""),
    ("80n", ""),
    ("1080n", ""),
    ("1u", ""),
    ("80u", ""),
    ("1080u", ""),
]


@pytest.mark.parametrize(
    ("expect", "alternate"),
    [
        pytest.param(expect, alternate, id=f"TestQuantityString:{expect}/{alternate}")
        for expect, alternate in STRING_TABLE
    ],
)
def test_quantity_string(expect: str, alternate: str) -> None:
    assert canonical_quantity(expect) == expect
    if expect != "0":
        assert canonical_quantity("-" + expect) == "-" + expect
    if alternate:
        assert canonical_quantity(alternate) == expect
        assert parse_quantity(alternate) == parse_quantity(expect)


# TestQuantityString rows built from a value and a format, through format_quantity
# (milli-units, DecimalSI or BinarySI).
@pytest.mark.parametrize(
    ("milli", "binary", "expect"),
    [
        pytest.param(GI * 1000, True, "1Gi", id="TestQuantityString:1Gi"),
        pytest.param(300 * MI * 1000, True, "300Mi", id="TestQuantityString:300Mi"),
        pytest.param(6 * KI * 1000, True, "6Ki", id="TestQuantityString:6Ki"),
        pytest.param(1001 * GI * 1000, True, "1001Gi", id="TestQuantityString:1001Gi"),
        pytest.param(TI * 1000, True, "1Ti", id="TestQuantityString:1Ti"),
        pytest.param(5000, True, "5", id="TestQuantityString:5-binary"),
        pytest.param(500, True, "500m", id="TestQuantityString:500m-binary"),
        pytest.param(10**12, False, "1G", id="TestQuantityString:1G"),
        pytest.param(1, False, "1m", id="TestQuantityString:1m"),
        pytest.param(1080, False, "1080m", id="TestQuantityString:1080m"),
        pytest.param(300 * 10**9, False, "300M", id="TestQuantityString:300M"),
        pytest.param(10**21, False, "1E", id="TestQuantityString:1E"),
        pytest.param(10**24, False, "1e21", id="TestQuantityString:1e21"),
        pytest.param(5 * 10**24, False, "5e21", id="TestQuantityString:5e21"),
        pytest.param(10**27, False, "1e24", id="TestQuantityString:1e24"),
        pytest.param(1_234_567 * 10**9, False, "1234567M", id="TestQuantityString:1234567M"),
        pytest.param(1_234_567, True, "1234567m", id="TestQuantityString:1234567m-binary"),
        pytest.param(1025 * 1000, True, "1025", id="TestQuantityString:1025-binary"),
        pytest.param(0, False, "0", id="TestQuantityString:0"),
        pytest.param(0, True, "0", id="TestQuantityString:0-binary"),
    ],
)
def test_format_quantity_string(milli: int, binary: bool, expect: str) -> None:
    assert format_quantity(milli, binary=binary) == expect
    if milli:
        assert format_quantity(-milli, binary=binary) == "-" + expect
    assert parse_quantity(expect) == milli


# TestQuantityParseEmit: String() after parsing, for the input and its negation.
@pytest.mark.parametrize(
    ("text", "expect"),
    [
        pytest.param(text, expect, id=f"TestQuantityParseEmit:{text}")
        for text, expect in [
            ("1Ki", "1Ki"),
            ("1Mi", "1Mi"),
            ("1Gi", "1Gi"),
            ("1024Mi", "1Gi"),
            ("1000M", "1G"),
            (".001Ki", "1024m"),
            (".000001Ki", "1024u"),
            (".000000001Ki", "1024n"),
            (".000000000001Ki", "2n"),
        ]
    ],
)
def test_parse_emit(text: str, expect: str) -> None:
    assert canonical_quantity(text) == expect
    assert canonical_quantity("-" + text) == "-" + expect


# TestMilliNewSet (NewMilliQuantity) and TestNewSet (NewQuantity): format, then round-trip.
@pytest.mark.parametrize(
    ("milli", "binary", "expect"),
    [
        pytest.param(1, False, "1m", id="TestMilliNewSet:1m"),
        pytest.param(1000, False, "1", id="TestMilliNewSet:1"),
        pytest.param(1_234_000, False, "1234", id="TestMilliNewSet:1234"),
        pytest.param(1024, True, "1024m", id="TestMilliNewSet:1024m-binary"),
        pytest.param(1024 * 1024, True, "1048576m", id="TestMilliNewSet:1048576m-binary"),
        pytest.param(1000, False, "1", id="TestNewSet:1"),
        pytest.param(1000 * 1000, False, "1k", id="TestNewSet:1k"),
        pytest.param(1_234_000 * 1000, False, "1234k", id="TestNewSet:1234k"),
        pytest.param(1024 * 1000, True, "1Ki", id="TestNewSet:1Ki"),
        pytest.param(1024 * 1024 * 1000, True, "1Mi", id="TestNewSet:1Mi"),
    ],
)
def test_new_set(milli: int, binary: bool, expect: str) -> None:
    assert format_quantity(milli, binary=binary) == expect
    assert parse_quantity(expect) == milli


# TestNewScaledSet (NewScaledQuantity(value, scale).String()) and TestScaledValue (the
# MilliValue of 1 at each scale).
@pytest.mark.parametrize(
    ("text", "expect", "milli"),
    [
        pytest.param("1n", "1n", 1, id="TestNewScaledSet:1n"),
        pytest.param("1000n", "1u", 1, id="TestNewScaledSet:1000n"),
        pytest.param("1u", "1u", 1, id="TestNewScaledSet:1u"),
        pytest.param("1000u", "1m", 1, id="TestNewScaledSet:1000u"),
        pytest.param("1m", "1m", 1, id="TestNewScaledSet:1m"),
        pytest.param("1000m", "1", 1000, id="TestNewScaledSet:1000m"),
        pytest.param("1", "1", 1000, id="TestNewScaledSet:1"),
        pytest.param("0n", "0", 0, id="TestNewScaledSet:0n"),
        pytest.param("0u", "0", 0, id="TestNewScaledSet:0u"),
        pytest.param("0m", "0", 0, id="TestNewScaledSet:0m"),
        pytest.param("1000000n", "1m", 1, id="TestScaledValue:Milli-from-Nano"),
    ],
)
def test_new_scaled_set(text: str, expect: str, milli: int) -> None:
    assert canonical_quantity(text) == expect
    assert parse_quantity(text) == milli


# TestQuantityNeg, TestQuantityRoundUp (negative rows), TestQuantityParseZero,
# TestQuantityAddZeroPreservesSuffix / TestQuantitySubZeroPreservesSuffix.
def test_quantity_neg() -> None:
    """TestQuantityNeg: the negation of 9.01 prints as -9010m."""
    assert canonical_quantity("-9.01") == "-9010m"


def test_quantity_round_up_negative() -> None:
    """TestQuantityRoundUp: -9.01 at the milli scale is exact, -9010."""
    assert parse_quantity("-9.01") == -9010


def test_quantity_parse_zero() -> None:
    """TestQuantityParseZero: "0" prints as "0"."""
    assert canonical_quantity("0") == "0"


@pytest.mark.parametrize(
    ("text", "binary"),
    [
        pytest.param("100m", False, id="TestQuantityAddZeroPreservesSuffix:100m"),
        pytest.param("1Gi", True, id="TestQuantityAddZeroPreservesSuffix:1Gi"),
    ],
)
def test_add_and_sub_zero_preserve_suffix(text: str, binary: bool) -> None:
    value = parse_quantity(text)
    zero = parse_quantity("0")
    assert format_quantity(value + zero, binary=binary) == text
    assert format_quantity(zero + value, binary=binary) == text
    assert format_quantity(value - zero, binary=binary) == text
    assert format_quantity(zero - value, binary=binary) == "-" + text


@pytest.mark.parametrize(
    ("left", "right", "expect"),
    [
        pytest.param("0", "0", 0, id="TestQuantityCmp:0/0"),
        pytest.param("100m", "50m", 1, id="TestQuantityCmp:100m/50m"),
        pytest.param("50m", "100m", -1, id="TestQuantityCmp:50m/100m"),
        pytest.param("10000T", "100Gi", 1, id="TestQuantityCmp:10000T/100Gi"),
    ],
)
def test_quantity_cmp(left: str, right: str, expect: int) -> None:
    a, b = parse_quantity(left), parse_quantity(right)
    assert (a > b) - (a < b) == expect


# quantity_subnano_test.go TestParseQuantitySubNanoRoundsUp / ...MatchesRound: a magnitude
# below 1n rounds away from zero to 1n, extreme exponents included, without building
# 10**scale. Upstream's "want" is restated in our canonical spelling (same value and format).
@pytest.mark.parametrize(
    ("text", "expect"),
    [
        pytest.param(text, expect, id=f"TestParseQuantitySubNanoRoundsUp:{text}")
        for text, expect in [
            ("1e-2147483647", "1e-9"),
            ("-1e-2147483647", "-1e-9"),
            ("1e-100", "1e-9"),
            ("-1e-100", "-1e-9"),
            ("1e-10", "1e-9"),
            ("9e-10", "1e-9"),
            ("-9e-10", "-1e-9"),
            ("1e-9", "1e-9"),
            ("-1e-9", "-1e-9"),
            ("2e-9", "2e-9"),
            ("15e-10", "2e-9"),
            ("1000000000000000000000e-30", "1e-9"),
            ("1000000000000000000001e-30", "2e-9"),
            ("999999999999999999999e-30", "1e-9"),
            ("0e-2147483647", "0"),
            ("0.0e-100", "0"),
            ("0.00000000000000000000001Ki", "1n"),
            ("0.0000000000001", "1n"),
            ("-0.0000000000001", "-1n"),
        ]
    ],
)
def test_sub_nano_rounds_up(text: str, expect: str) -> None:
    assert canonical_quantity(text) == expect
    sign = -1 if text.startswith("-") else 1
    assert parse_quantity(text) == (0 if expect == "0" else sign)


# Where we differ from upstream on purpose (docs: "Where we differ from Kubernetes on purpose").
@pytest.mark.parametrize(
    ("text", "milli", "canonical"),
    [
        # TestQuantityParse caps a BinarySI value above 2**63-1 at 2**63-1 ("9Ei" parses as
        # 9223372036854775807). The spec forbids silent clamping: we keep the exact value.
        pytest.param("9Ei", 9 * EI * 1000, "9Ei", id="deviation:TestQuantityParse:9Ei"),
        pytest.param(
            "9223372036854775807Ki",
            (2**63 - 1) * KI * 1000,
            "9223372036854775807Ki",
            id="deviation:TestQuantityParse:9223372036854775807Ki",
        ),
        pytest.param("8Ei", 8 * EI * 1000, "8Ei", id="deviation:TestZeroSubMostNegative:8Ei"),
        # Upstream's String() returns the input verbatim when a cheap check (quantity.go
        # ParseQuantity: scale % 3 == 0, no "000" suffix, no leading "0") thinks it is
        # canonical; it then keeps "+", leading zeros, trailing fraction zeros and "E".
        pytest.param("+1", 1000, "1", id="deviation:String-verbatim:+1"),
        pytest.param("01", 1000, "1", id="deviation:String-verbatim:01"),
        pytest.param("1.500", 1500, "1500m", id="deviation:String-verbatim:1.500"),
        pytest.param("1E3", 10**6, "1e3", id="deviation:String-verbatim:1E3"),
        pytest.param("+1Ki", KI * 1000, "1Ki", id="deviation:String-verbatim:+1Ki"),
        # scale_int.go scaledValue adds one to the truncated quotient whatever the sign, so
        # upstream MilliValue of this (big-decimal backed) value is -999; we round away from
        # zero as the int64 path (amount.go negativeScaleInt64) does.
        pytest.param(
            "-1.0000000001", -1001, "-1000000001n", id="deviation:MilliValue-negative-dec"
        ),
    ],
)
def test_upstream_deviation(text: str, milli: int, canonical: str) -> None:
    assert parse_quantity(text) == milli
    assert canonical_quantity(text) == canonical


def test_deviation_exponent_is_not_truncated_to_int32() -> None:
    """suffix.go keeps ``int32(parsed)``: upstream reads "1e4294967296" as 1. We refuse it."""
    with pytest.raises(InvalidQuantity) as caught:
        parse_quantity("1e4294967296")
    assert (
        str(caught.value)
        == "invalid quantity '1e4294967296': exceeds the supported range of 100 digits"
    )
    assert canonical_quantity("1e-4294967296") == "1e-9"
