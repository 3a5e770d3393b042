"""Benchmarks of Kubernetes quantity parsing and formatting over a realistic, seeded mix."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from invsched.quantity import _parse_milli_exact, format_quantity, parse_quantity
from invsched.testing import generate_quantity_texts

if TYPE_CHECKING:
    from pytest_benchmark.fixture import BenchmarkFixture

SEED = 0xC0FFEE
SIZES = (10**3, 10**4, 10**5)


def _parse_all(texts: tuple[str, ...]) -> list[int]:
    return [parse_quantity(text) for text in texts]


def _parse_all_exact(texts: tuple[str, ...]) -> list[int]:
    return [_parse_milli_exact(text) for text in texts]


@pytest.mark.parametrize("count", SIZES)
def test_parse_quantity(benchmark: BenchmarkFixture, count: int) -> None:
    """parse_quantity over `count` strings of the realistic mix (fast path where it applies)."""
    benchmark.group = "parse_quantity"
    texts = generate_quantity_texts(count, seed=SEED)
    result = benchmark(_parse_all, texts)
    assert result == _parse_all_exact(texts)


@pytest.mark.parametrize("count", SIZES)
def test_parse_quantity_exact_path(benchmark: BenchmarkFixture, count: int) -> None:
    """The exact path alone over the same strings: the baseline the fast path is measured by."""
    benchmark.group = "parse_quantity"
    texts = generate_quantity_texts(count, seed=SEED)
    result = benchmark(_parse_all_exact, texts)
    assert len(result) == count


@pytest.mark.parametrize("count", SIZES)
def test_format_quantity(benchmark: BenchmarkFixture, count: int) -> None:
    """format_quantity of `count` parsed values, memory-like ones in binary form."""
    benchmark.group = "format_quantity"
    texts = generate_quantity_texts(count, seed=SEED)
    values = [(parse_quantity(text), text.endswith("i")) for text in texts]

    def format_all() -> list[str]:
        return [format_quantity(milli, binary=binary) for milli, binary in values]

    result = benchmark(format_all)
    assert [parse_quantity(text) for text in result] == [milli for milli, _ in values]
