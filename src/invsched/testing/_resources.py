"""Strategies for resource vectors and Kubernetes quantity strings.

The seeded generator of realistic quantity strings, which needs no hypothesis, lives in
:mod:`invsched.testing._resources_generators`.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from invsched.errors import InvalidRequest
from invsched.resources import Resources
from invsched.testing._resources_generators import generate_quantity_texts

# ``generate_quantity_texts`` stays importable from here for callers of its former location.
__all__ = ["generate_quantity_texts", "quantity_texts", "resources"]

#: The resource names a GPU scheduler meets most.
DEFAULT_RESOURCE_NAMES = ("cpu", "memory", "nvidia.com/gpu")

_DECIMAL_SUFFIXES = ("n", "u", "m", "", "k", "M", "G", "T", "P", "E")
_BINARY_SUFFIXES = ("Ki", "Mi", "Gi", "Ti", "Pi", "Ei")


def resources(
    names: Sequence[str] = DEFAULT_RESOURCE_NAMES,
    *,
    max_amount: int = 10**12,
    min_amount: int = 0,
    require_all: bool = False,
) -> st.SearchStrategy[Resources]:
    """Resources over a subset of ``names`` (every name when ``require_all``), amounts in
    milli-units within ``[min_amount, max_amount]``; valid by construction.

    Shrinks towards fewer keys and amounts near ``min_amount``.

    Raises:
        InvalidRequest: ``min_amount > max_amount``, bounds that are not ints, or a name that
            is empty or repeated.

    Runtime complexity: O(len(names)) per example.

    >>> from hypothesis import find
    >>> find(resources(require_all=True, min_amount=5), lambda r: True)
    Resources({'cpu': 5, 'memory': 5, 'nvidia.com/gpu': 5})
    """
    for label, bound in (("min_amount", min_amount), ("max_amount", max_amount)):
        if type(bound) is not int:
            raise InvalidRequest(label, f"must be an int, got {type(bound).__name__}")
    if min_amount > max_amount:
        raise InvalidRequest("min_amount", f"{min_amount} exceeds max_amount {max_amount}")
    keys = tuple(names)
    if any(not isinstance(name, str) or not name for name in keys) or len(set(keys)) != len(keys):
        raise InvalidRequest("names", f"must be distinct non-empty strings, got {keys!r}")
    amounts = st.integers(min_value=min_amount, max_value=max_amount)

    @st.composite
    def build(draw: st.DrawFn) -> Resources:
        chosen = keys if require_all else draw(st.sets(st.sampled_from(keys))) if keys else ()
        return Resources({name: draw(amounts) for name in keys if name in chosen})

    return build()


@st.composite
def quantity_texts(draw: st.DrawFn, *, max_digits: int = 12) -> str:
    """Valid Kubernetes quantity strings covering the whole grammar: signs, leading zeros,
    ``"1."`` / ``".5"`` forms, every SI and binary suffix, and exponents ``e``/``E`` with signs.

    Whole and fraction parts have at most ``max_digits`` digits each and exponents stay within
    ±30, so every string is inside :data:`invsched.quantity.MAX_QUANTITY_DIGITS`.

    Runtime complexity: O(max_digits) per example.

    >>> from hypothesis import find
    >>> find(quantity_texts(), lambda text: text.endswith("Gi"))
    '0Gi'
    """
    digits = st.text("0123456789", min_size=1, max_size=max_digits)
    sign = draw(st.sampled_from(("", "+", "-")))
    shape = draw(st.sampled_from(("whole", "whole.fraction", "whole.", ".fraction")))
    whole = draw(digits) if shape != ".fraction" else ""
    fraction = draw(digits) if "fraction" in shape else ""
    dot = "." if "." in shape else ""
    kind = draw(st.sampled_from(("decimal", "binary", "exponent")))
    if kind == "decimal":
        suffix = draw(st.sampled_from(_DECIMAL_SUFFIXES))
    elif kind == "binary":
        suffix = draw(st.sampled_from(_BINARY_SUFFIXES))
    else:
        letter = draw(st.sampled_from(("e", "E")))
        exponent_sign = draw(st.sampled_from(("", "+", "-")))
        suffix = f"{letter}{exponent_sign}{draw(st.integers(min_value=0, max_value=30))}"
    return f"{sign}{whole}{dot}{fraction}{suffix}"
