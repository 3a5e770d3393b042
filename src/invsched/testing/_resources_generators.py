"""A seeded generator of realistic Kubernetes quantity strings (no hypothesis needed)."""

from __future__ import annotations

import random

from invsched.errors import InvalidRequest

__all__ = ["generate_quantity_texts"]


def _whole(rng: random.Random) -> str:
    return str(rng.choice((1, 2, 4, 8, 16, 32, 64, 100, rng.randint(1, 500))))


def _milli(rng: random.Random) -> str:
    return f"{rng.choice((100, 250, 500, 750, rng.randint(1, 999)))}m"


def _binary(rng: random.Random) -> str:
    mantissa = rng.choice((1, 2, 4, 16, 50, 128, 512, rng.randint(1, 1023)))
    return f"{mantissa}{rng.choice(('Ki', 'Mi', 'Gi', 'Ti'))}"


def _decimal(rng: random.Random) -> str:
    return f"{rng.randint(1, 999)}{rng.choice(('k', 'M', 'G', 'T'))}"


def _fraction(rng: random.Random) -> str:
    return f"{rng.randint(0, 64)}.{rng.randint(1, 99)}{rng.choice(('', '', 'Gi'))}"


def _exponent(rng: random.Random) -> str:
    return f"{rng.randint(1, 9)}e{rng.randint(0, 9)}"


# Realistic spellings, weighted by their share of a manifest's resource fields.
_MIX = ((30, _whole), (20, _milli), (25, _binary), (10, _decimal), (10, _fraction), (5, _exponent))


def generate_quantity_texts(count: int, *, seed: int) -> tuple[str, ...]:
    """``count`` quantity strings in a realistic mix, the same for the same ``seed``.

    Shares: 30 % whole numbers (``"16"``), 20 % milli (``"500m"``), 25 % binary
    (``"50Gi"``), 10 % decimal SI (``"2k"``), 10 % fractions (``"1.5"``, ``"2.25Gi"``), 5 %
    exponents (``"1e3"``).

    Raises:
        InvalidRequest: ``count`` is negative or not an int.

    Runtime complexity: O(count).

    >>> generate_quantity_texts(4, seed=7) == generate_quantity_texts(4, seed=7)
    True
    >>> len(generate_quantity_texts(1000, seed=1))
    1000
    """
    if type(count) is not int or count < 0:
        raise InvalidRequest("count", f"must be a non-negative int, got {count!r}")
    rng = random.Random(seed)
    weights = [weight for weight, _ in _MIX]
    makers = [maker for _, maker in _MIX]
    return tuple(maker(rng) for maker in rng.choices(makers, weights=weights, k=count))
