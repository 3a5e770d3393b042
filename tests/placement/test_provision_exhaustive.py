"""Provisioning against exhaustive search: pools of several types, awkward names, no room.

Every drawn problem is small enough to enumerate every way of putting new nodes on pools
(per offer and type, within headroom and the regional stock). The oracle keeps the least
``(cost, nodes)`` and, among equal ones, the documented tie-break: the most nodes of the
first type in the order (price per replica, price, larger nodes, name), then the next.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from invsched.placement._knapsack import cheapest_cover
from invsched.placement.estimate import Offer, Shape
from invsched.placement.provision import most_provisionable, plan_provisioning

#: Names that the old string-named max-flow confused: separators and its own sentinels.
TYPE_NAMES = ("x,y", "x", "y", "t:x", "source", "sink", "g:r:x,y")
REGIONS = ("r", "r:x", "g:r")

Problem = tuple[int, list[Offer], list[Shape], dict[tuple[str, str], int]]


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    names = draw(st.lists(st.sampled_from(TYPE_NAMES), min_size=1, max_size=3, unique=True))
    regions = draw(st.lists(st.sampled_from(REGIONS), min_size=1, max_size=2, unique=True))
    shapes = [
        Shape(
            name=name,
            per_node=draw(st.integers(1, 3)),
            price=Decimal(draw(st.integers(0, 8))) / draw(st.sampled_from((1, 2, 4))),
        )
        for name in names
    ]
    offers = [
        Offer(
            cluster=draw(st.sampled_from(("c1", "c2", "c:3"))),
            region=draw(st.sampled_from(regions)),
            pool=f"p{index}",
            headroom=draw(st.integers(0, 2)),
            types=tuple(
                draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
            ),
        )
        for index in range(draw(st.integers(1, 3)))
    ]
    stock = {(region, name): draw(st.integers(0, 3)) for region in regions for name in names}
    most = sum(offer.headroom for offer in offers) * 3
    return draw(st.integers(1, most + 2)), offers, shapes, stock


def _splits(headroom: int, types: Sequence[str]) -> Iterator[dict[str, int]]:
    """Every way to put at most ``headroom`` nodes of ``types`` on one pool."""
    for counts in itertools.product(range(headroom + 1), repeat=len(types)):
        if sum(counts) <= headroom:
            yield dict(zip(types, counts, strict=True))


def _buyable(problem: Problem) -> Iterator[dict[str, int]]:
    """Nodes per type of every placement on the pools within headroom and stock."""
    _, offers, shapes, stock = problem
    names = [shape.name for shape in shapes]
    for choice in itertools.product(*(_splits(o.headroom, o.types) for o in offers)):
        used: dict[tuple[str, str], int] = {}
        for offer, split in zip(offers, choice, strict=True):
            for name, count in split.items():
                key = (offer.region, name)
                used[key] = used.get(key, 0) + count
        if all(count <= stock.get(key, 0) for key, count in used.items()):
            yield {name: sum(c for (_, n), c in used.items() if n == name) for name in names}


def _oracle(problem: Problem) -> tuple[int, dict[str, int] | None]:
    """The most replicas, and the least vector holding the shortfall (``None`` if none)."""
    shortfall, _, shapes, _ = problem
    order = sorted(
        shapes, key=lambda s: (Fraction(s.price) / s.per_node, s.price, -s.per_node, s.name)
    )
    most = 0
    best: tuple[Decimal, int, tuple[int, ...]] | None = None
    chosen = None
    for vector in _buyable(problem):
        replicas = sum(shape.per_node * vector[shape.name] for shape in shapes)
        most = max(most, replicas)
        if replicas < shortfall:
            continue
        key = (
            sum((shape.price * vector[shape.name] for shape in shapes), Decimal(0)),
            sum(vector.values()),
            tuple(-vector[shape.name] for shape in order),
        )
        if best is None or key < best:
            best, chosen = key, vector
    return most, chosen


@settings(max_examples=300, deadline=None)
@given(problem=problems())
def test_plan_equals_exhaustive_search(problem: Problem) -> None:
    shortfall, offers, shapes, stock = problem
    most, expected = _oracle(problem)
    assert most_provisionable(offers, shapes, stock) == most
    plan = plan_provisioning(shortfall, offers, shapes, stock, base={"c2": 1})
    if expected is None:
        assert plan is None
        assert shortfall > most
        return
    assert plan is not None
    per_node = {shape.name: shape.per_node for shape in shapes}
    price = {shape.name: shape.price for shape in shapes}
    totals = dict.fromkeys(per_node, 0)
    for item in plan:
        totals[item.instance_type] += item.nodes
        assert item.nodes <= item.replicas <= item.nodes * per_node[item.instance_type]
        assert item.hourly_cost == price[item.instance_type] * item.nodes
    assert totals == expected
    assert sum(item.replicas for item in plan) == shortfall
    by_pool = {(offer.cluster, offer.pool): offer for offer in offers}
    used: dict[tuple[str, str], int] = {}
    for item in plan:
        offer = by_pool[(item.cluster, item.pool)]
        assert item.instance_type in offer.types
        used[(offer.cluster, offer.pool)] = used.get((offer.cluster, offer.pool), 0) + item.nodes
        key = (offer.region, item.instance_type)
        used[key] = used.get(key, 0) + item.nodes
    for (cluster, pool), offer in by_pool.items():
        assert used.get((cluster, pool), 0) <= offer.headroom
    for key, count in stock.items():
        assert used.get(key, 0) <= count


@st.composite
def covers(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, int]]]:
    items = draw(
        st.lists(st.tuples(st.integers(0, 6), st.integers(1, 5), st.integers(0, 4)), max_size=4)
    )
    return draw(st.integers(-1, 25)), items


@settings(max_examples=300)
@given(case=covers())
def test_knapsack_cover_equals_brute_force(case: tuple[int, list[tuple[int, int, int]]]) -> None:
    shortfall, items = case
    best: tuple[int, int, tuple[int, ...]] | None = None
    for vector in itertools.product(*(range(bound + 1) for _, _, bound in items)):
        if sum(size * n for (_, size, _), n in zip(items, vector, strict=True)) < shortfall:
            continue
        cost = sum(c * n for (c, _, _), n in zip(items, vector, strict=True))
        key = (cost, sum(vector), tuple(-n for n in vector))
        if best is None or key < best:
            best = key
    expected = None if best is None else [-n for n in best[2]]
    assert cheapest_cover(shortfall, items) == expected
