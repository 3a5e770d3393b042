"""Unit tests of invsched.quantity: exact values, error messages, limits and the fast path."""

from __future__ import annotations

import pickle

import pytest

from invsched.errors import InvalidQuantity, InvschedError
from invsched.quantity import (
    _FAST_MAX_LENGTH,
    MAX_QUANTITY_DIGITS,
    QuantityFormat,
    _parse_exact,
    _parse_milli_exact,
    canonical_quantity,
    format_quantity,
    parse_quantity,
)

GI = 2**30


@pytest.mark.parametrize(
    ("text", "milli"),
    [
        ("100", 100_000),
        ("500m", 500),
        ("50Gi", 50 * GI * 1000),
        ("16", 16_000),
        ("2k", 2_000_000),
        ("1.5", 1500),
        ("0.1", 100),
        ("250m", 250),
        ("1Ei", 2**60 * 1000),
        ("1500u", 2),
        ("1n", 1),
        ("999999n", 1),
        ("1000001n", 2),
        ("-1n", -1),
        ("-1000001n", -2),
        ("007", 7000),
        ("0", 0),
        ("-0", 0),
        ("+", 0),
        ("-", 0),
        ("m", 0),
    ],
)
def test_parse_exact_values(text: str, milli: int) -> None:
    assert parse_quantity(text) == milli
    assert _parse_milli_exact(text) == milli


def test_parse_int_is_base_units() -> None:
    assert parse_quantity(16) == 16_000
    assert parse_quantity(-3) == -3000
    assert parse_quantity(0) == 0
    assert canonical_quantity(2048) == "2048"
    assert canonical_quantity(3000) == "3k"


@pytest.mark.parametrize(
    ("value", "type_name"),
    [(True, "bool"), (False, "bool"), (1.5, "float"), (2.0, "float"), (None, "NoneType")],
)
def test_parse_rejects_non_quantities(value: object, type_name: str) -> None:
    with pytest.raises(InvalidQuantity) as caught:
        parse_quantity(value)  # type: ignore[arg-type]
    assert str(caught.value) == (
        f"invalid quantity {value!r}: expected a string or an int, got {type_name}"
    )
    with pytest.raises(InvalidQuantity):
        canonical_quantity(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "type_name"), [(True, "bool"), (1.0, "float"), ("1", "str")])
def test_format_rejects_non_ints(value: object, type_name: str) -> None:
    with pytest.raises(InvalidQuantity) as caught:
        format_quantity(value)  # type: ignore[arg-type]
    assert str(caught.value) == (
        f"invalid quantity {value!r}: expected an int of milli-units, got {type_name}"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12x", "invalid quantity '12x': unexpected character 'x' at position 2"),
        ("", "invalid quantity '': empty string"),
        ("1mi", "invalid quantity '1mi': unknown suffix 'mi'"),
        ("1KI", "invalid quantity '1KI': unexpected character 'I' at position 2"),
        ("1k3", "invalid quantity '1k3': unknown suffix 'k3'"),
        ("1e", "invalid quantity '1e': unknown suffix 'e'"),
        ("1e+", "invalid quantity '1e+': unknown suffix 'e+'"),
        ("1ee3", "invalid quantity '1ee3': unknown suffix 'ee3'"),
        ("1e3Ki", "invalid quantity '1e3Ki': unexpected character 'K' at position 3"),
        ("1.5.5", "invalid quantity '1.5.5': unexpected character '.' at position 3"),
        ("1_000", "invalid quantity '1_000': unexpected character '_' at position 1"),
        ("\uff11", "invalid quantity '\uff11': unexpected character '\uff11' at position 0"),
        ("\u0663", "invalid quantity '\u0663': unexpected character '\u0663' at position 0"),
        ("1e99", "invalid quantity '1e99': exceeds the supported range of 100 digits"),
        (
            "1e99999999999999999999",
            "invalid quantity '1e99999999999999999999': "
            "exponent '99999999999999999999' does not fit in 64 bits",
        ),
        (
            "1e-9223372036854775809",
            "invalid quantity '1e-9223372036854775809': "
            "exponent '-9223372036854775809' does not fit in 64 bits",
        ),
    ],
)
def test_error_messages(text: str, message: str) -> None:
    with pytest.raises(InvalidQuantity) as caught:
        parse_quantity(text)
    assert str(caught.value) == message
    assert caught.value.value == text
    assert caught.value.field == ""


def test_error_names_the_field() -> None:
    with pytest.raises(InvalidQuantity) as caught:
        parse_quantity("12x", field="spec.root.min.cpu")
    error = caught.value
    assert str(error) == (
        "spec.root.min.cpu: invalid quantity '12x': unexpected character 'x' at position 2"
    )
    assert (error.value, error.reason, error.field) == (
        "12x",
        "unexpected character 'x' at position 2",
        "spec.root.min.cpu",
    )
    assert isinstance(error, InvschedError)
    assert isinstance(error, ValueError)
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


def test_error_names_the_field_for_a_bool() -> None:
    with pytest.raises(InvalidQuantity) as caught:
        parse_quantity(True, field="max.gpu")
    assert (
        str(caught.value) == "max.gpu: invalid quantity True: expected a string or an int, got bool"
    )


def test_exponent_bounds_of_int64() -> None:
    """suffix.go reads the exponent with ParseInt(s, 10, 64): int64 bounds are accepted."""
    assert canonical_quantity("1e-9223372036854775808") == "1e-9"
    assert canonical_quantity("0e9223372036854775807") == "0"
    assert parse_quantity("-1e-9223372036854775808") == -1


def test_exponent_with_many_leading_zeros() -> None:
    assert parse_quantity("1e" + "0" * 5000 + "3") == 10**6
    assert canonical_quantity("1e-" + "0" * 5000 + "3") == "1e-3"
    with pytest.raises(InvalidQuantity) as caught:
        parse_quantity("1e" + "1" * 5000)
    # The message shows the start of the exponent only (rendered values stay short).
    assert caught.value.reason == f"exponent '{'1' * 80}…' does not fit in 64 bits"
    assert len(str(caught.value)) < 300


class TestDigitLimit:
    """``|milli| < 10**MAX_QUANTITY_DIGITS`` for parsing and formatting alike."""

    largest = 10**MAX_QUANTITY_DIGITS - 1

    def test_largest_accepted(self) -> None:
        assert format_quantity(self.largest) == f"{self.largest}m"
        assert parse_quantity(f"{self.largest}m") == self.largest
        assert parse_quantity("-" + "9" * (MAX_QUANTITY_DIGITS - 3)) == -(self.largest - 999)

    @pytest.mark.parametrize(
        "text",
        [
            "1" + "0" * (MAX_QUANTITY_DIGITS - 3),
            f"{10**MAX_QUANTITY_DIGITS}m",
            "1e97",
            "-1e97",
            # Rounds up to 10**100 milli-units exactly.
            "9" * (MAX_QUANTITY_DIGITS - 3) + ".9991",
        ],
    )
    def test_just_too_large(self, text: str) -> None:
        with pytest.raises(InvalidQuantity) as caught:
            parse_quantity(text)
        assert caught.value.reason == "exceeds the supported range of 100 digits"
        with pytest.raises(InvalidQuantity):
            canonical_quantity(text)

    @pytest.mark.parametrize("milli", [10**MAX_QUANTITY_DIGITS, -(10**MAX_QUANTITY_DIGITS)])
    def test_format_refuses_what_parse_refuses(self, milli: int) -> None:
        with pytest.raises(InvalidQuantity) as caught:
            format_quantity(milli)
        # A value longer than 80 characters is cut in the message.
        shown = f"{milli}"[:80]
        assert (
            str(caught.value)
            == f"invalid quantity {shown}…: exceeds the supported range of 100 digits"
        )

    def test_int_input_is_bounded(self) -> None:
        with pytest.raises(InvalidQuantity) as caught:
            parse_quantity(10**97)
        assert caught.value.reason == "exceeds the supported range of 100 digits"
        assert parse_quantity(10**97 - 1) == (10**97 - 1) * 1000

    def test_ten_to_the_thirty(self) -> None:
        assert parse_quantity("1e30") == 10**33
        assert canonical_quantity("1000000000000000000000000000000") == "1e30"
        assert format_quantity(10**33) == "1e30"

    def test_binary_significant_digits(self) -> None:
        assert parse_quantity("0." + "1" * MAX_QUANTITY_DIGITS + "Ki") == 113_778
        text = "0." + "1" * (MAX_QUANTITY_DIGITS + 1) + "Ki"
        with pytest.raises(InvalidQuantity) as caught:
            parse_quantity(text)
        assert caught.value.reason == "has more than 100 significant digits with a binary suffix"

    def test_long_decimal_fraction_is_exact(self) -> None:
        """A decimal fraction of any length rounds exactly (digits past 1n only round up)."""
        assert parse_quantity("1." + "0" * 5000 + "1") == 1001
        assert canonical_quantity("1." + "0" * 5000 + "1") == "1000000001n"
        assert canonical_quantity("0." + "0" * 5000 + "1Ki") == "1n"
        assert canonical_quantity("1" + "0" * 96 + "." + "0" * 5000) == "1e96"


class TestCanonicalForm:
    def test_decimal_past_exa_uses_an_exponent(self) -> None:
        """quantity.go CanonicalizeBytes: DecimalSI has no suffix past E (10**18)."""
        assert canonical_quantity("1000E") == "1e21"
        assert canonical_quantity("10000E") == "10e21"
        assert canonical_quantity("1500E") == "1500E"

    def test_binary_past_exbi_stays_in_exbi(self) -> None:
        """A value of 1024Ei has no larger binary suffix; it keeps Ei (never drops it)."""
        assert canonical_quantity("1024Ei") == "1024Ei"
        assert format_quantity(2**70 * 1000, binary=True) == "1024Ei"
        assert parse_quantity("1024Ei") == 2**70 * 1000

    def test_binary_falls_back_to_decimal(self) -> None:
        assert canonical_quantity("1023") == "1023"
        assert canonical_quantity("0.5Ki") == "512"
        assert canonical_quantity("1.5Ki") == "1536"
        assert canonical_quantity("1.0001Ki") == "1024102400u"
        assert format_quantity(1_073_741_824_001, binary=True) == "1073741824001m"

    def test_exponent_zero_has_no_suffix(self) -> None:
        assert canonical_quantity("1e0") == "1"
        assert canonical_quantity("0.001e3") == "1"

    def test_format_is_an_enum(self) -> None:
        assert [member.value for member in QuantityFormat] == [
            "DecimalSI",
            "BinarySI",
            "DecimalExponent",
        ]
        assert _parse_exact("1Gi") == (GI * 10**9, QuantityFormat.BINARY_SI)
        assert _parse_exact("1e3") == (10**12, QuantityFormat.DECIMAL_EXPONENT)
        # ParseQuantity turns a BinarySI value strictly between 0 and 1 into DecimalSI.
        assert _parse_exact("0.0001Ki") == (102_400_000, QuantityFormat.DECIMAL_SI)
        assert _parse_exact(5) == (5 * 10**9, QuantityFormat.DECIMAL_SI)


class TestFastPath:
    """The fast path covers unsigned integers with one suffix and never changes a result."""

    @pytest.mark.parametrize(
        "text",
        [
            *("0", "7", "123456789012345678", "1n", "999u", "5m", "2k", "3M", "4G", "5T"),
            *("6P", "7E", "1Ki", "2Mi", "3Gi", "4Ti", "5Pi", "6Ei", "00012Gi", "1500n"),
        ],
    )
    def test_agrees_with_the_exact_path(self, text: str) -> None:
        assert parse_quantity(text) == _parse_milli_exact(text)

    @pytest.mark.parametrize(
        "text",
        ["1" * (_FAST_MAX_LENGTH + 1), "1" * (_FAST_MAX_LENGTH - 1) + "Gi", "9" * 40 + "Ei"],
    )
    def test_long_inputs_take_the_exact_path(self, text: str) -> None:
        assert parse_quantity(text) == _parse_milli_exact(text)

    @pytest.mark.parametrize("text", ["i", "Gi", "m", "k", "1mi", "1Xi", "1e3", "-1", "+5m", "１"])
    def test_near_misses_agree(self, text: str) -> None:
        try:
            expected: int | str = _parse_milli_exact(text)
        except InvalidQuantity as error:
            expected = str(error)
        try:
            actual: int | str = parse_quantity(text)
        except InvalidQuantity as error:
            actual = str(error)
        assert actual == expected
