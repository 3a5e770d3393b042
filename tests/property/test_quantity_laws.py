"""Laws of Kubernetes quantities and of ``Resources`` arithmetic."""

from __future__ import annotations

import random
from collections.abc import Callable
from fractions import Fraction

from hypothesis import example, given
from hypothesis import strategies as st

from invsched.errors import InvalidQuantity
from invsched.quantity import (
    _FAST_MAX_LENGTH,
    MAX_QUANTITY_DIGITS,
    _parse_exact,
    _parse_milli_exact,
    canonical_quantity,
    format_quantity,
    parse_quantity,
)
from invsched.resources import Resources
from invsched.testing import quantity_texts, resources

LIMIT = 10**MAX_QUANTITY_DIGITS - 1
_SUFFIX_VALUE = {
    **{
        s: Fraction(10) ** e
        for s, e in zip("numkMGTPE", (-9, -6, -3, 3, 6, 9, 12, 15, 18), strict=True)
    },
    "": Fraction(1),
    **{s: Fraction(2 ** (10 * p)) for p, s in enumerate(("Ki", "Mi", "Gi", "Ti", "Pi", "Ei"), 1)},
}


@st.composite
def milli_values(draw: st.DrawFn) -> int:
    """Any accepted milli value, with extra weight on binary and decimal round numbers."""
    shape = draw(st.sampled_from(("any", "binary", "decimal", "small")))
    sign = draw(st.sampled_from((1, -1)))
    if shape == "any":
        return draw(st.integers(min_value=-LIMIT, max_value=LIMIT))
    if shape == "small":
        return sign * draw(st.integers(min_value=0, max_value=10**7))
    mantissa = draw(st.integers(min_value=0, max_value=10**6))
    if shape == "binary":
        unit: int = 1024 ** draw(st.integers(min_value=0, max_value=8)) * 1000
    else:
        unit = 10 ** draw(st.integers(min_value=0, max_value=40))
    return sign * mantissa * unit


@st.composite
def fast_path_texts(draw: st.DrawFn) -> str:
    """Strings of the fast path's shape: ASCII digits and at most one suffix."""
    digits = draw(st.text("0123456789", min_size=1, max_size=_FAST_MAX_LENGTH + 2))
    return digits + draw(st.sampled_from(sorted(_SUFFIX_VALUE)))


def _reference_milli(text: str) -> int:
    """An independent oracle: exact Fraction arithmetic, rounded away from zero."""
    cut = next((i for i, char in enumerate(text) if char in "eEinumkKMGTP"), len(text))
    number, suffix = text[:cut], text[cut:]
    scale = _SUFFIX_VALUE.get(suffix)
    if scale is None:
        scale = Fraction(10) ** int(suffix[1:])
    milli = Fraction(number) * scale * 1000
    magnitude = -(-abs(milli.numerator) // milli.denominator)
    return magnitude if milli >= 0 else -magnitude


@given(milli_values(), st.booleans())
@example(2**70 * 1000, True)
@example(10**24, False)
@example(-1, True)
def test_parse_inverts_format(milli: int, binary: bool) -> None:
    assert parse_quantity(format_quantity(milli, binary=binary)) == milli


@given(milli_values(), st.booleans())
def test_format_is_sign_symmetric(milli: int, binary: bool) -> None:
    text = format_quantity(abs(milli), binary=binary)
    assert format_quantity(-abs(milli), binary=binary) == ("0" if milli == 0 else "-" + text)


@given(quantity_texts())
@example("1000E")
@example("0.000000000001Ki")
@example("-.5e-10")
def test_canonical_keeps_the_value(text: str) -> None:
    canonical = canonical_quantity(text)
    assert parse_quantity(canonical) == parse_quantity(text)
    # Same value down to the nano-unit, and canonicalizing again changes nothing.
    assert _parse_exact(canonical)[0] == _parse_exact(text)[0]
    assert canonical_quantity(canonical) == canonical


@given(quantity_texts())
@example("+.5e-0")
@example("3.001n")
def test_parse_matches_exact_fraction_arithmetic(text: str) -> None:
    assert parse_quantity(text) == _reference_milli(text)


@given(st.one_of(fast_path_texts(), quantity_texts()))
@example("0" * _FAST_MAX_LENGTH)
@example("9" * (_FAST_MAX_LENGTH - 1) + "E")
def test_fast_path_equals_exact_path(text: str) -> None:
    assert parse_quantity(text) == _parse_milli_exact(text)


def _outcome(parse: Callable[[str], int], text: str) -> int | str:
    try:
        return parse(text)
    except InvalidQuantity as error:
        return str(error)


@given(st.one_of(st.text("0123456789.+-eEinumkKMGTP x", max_size=25), st.text(max_size=25)))
@example("1e" + "9" * 30)
@example("0." + "0" * 200 + "1Ei")
def test_any_text_parses_or_raises_invalid_quantity(text: str) -> None:
    """Junk never escapes as another exception, and both paths agree on it, message included."""
    assert _outcome(parse_quantity, text) == _outcome(_parse_milli_exact, text)


# Resources arithmetic ---------------------------------------------------------------------

NAMES = ("cpu", "memory", "nvidia.com/gpu", "pods")
vectors = resources(NAMES, min_amount=-(10**15), max_amount=10**15)
nonnegative = resources(NAMES, max_amount=10**15)


@given(vectors, vectors)
def test_addition_commutes(a: Resources, b: Resources) -> None:
    assert a + b == b + a


@given(vectors, vectors, vectors)
def test_addition_associates(a: Resources, b: Resources, c: Resources) -> None:
    assert (a + b) + c == a + (b + c)


@given(vectors)
def test_self_subtraction_is_zero(a: Resources) -> None:
    difference = a - a
    assert difference.is_zero()
    assert set(difference) == set(a)


@given(vectors, vectors)
def test_subtraction_undoes_addition(a: Resources, b: Resources) -> None:
    restored = (a + b) - b
    assert all(restored[name] == a[name] for name in set(a) | set(b))
    assert restored.without_zeros() == a.without_zeros()


@given(nonnegative, nonnegative, nonnegative, st.booleans())
def test_fits_in_is_monotone(
    request: Resources, limit: Resources, extra: Resources, unlimited: bool
) -> None:
    # Under missing_is_unlimited a new key in the limit is a new restriction (an explicit 0
    # allows nothing), so a larger limit only raises the keys it already has.
    raised = limit + ({name: extra[name] for name in limit} if unlimited else extra)
    if request.fits_in(limit, missing_is_unlimited=unlimited):
        assert request.fits_in(raised, missing_is_unlimited=unlimited)
        assert request.fits_in(limit, missing_is_unlimited=True)
        smaller = (request - extra).union_max(Resources(dict.fromkeys(request, 0)))
        assert smaller.fits_in(limit, missing_is_unlimited=unlimited)
    assert request.fits_in(request + extra)


@given(vectors, st.randoms(use_true_random=False))
def test_equal_vectors_hash_alike(a: Resources, rng: random.Random) -> None:
    pairs = list(a.items())
    rng.shuffle(pairs)
    shuffled = Resources(pairs)
    assert shuffled == a
    assert hash(shuffled) == hash(a)


@given(vectors)
def test_iteration_is_sorted(a: Resources) -> None:
    assert list(a) == sorted(a)


@given(vectors)
def test_quantities_round_trip(a: Resources) -> None:
    assert Resources.parse(a.to_quantities()) == a
