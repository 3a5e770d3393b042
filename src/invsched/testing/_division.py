"""Strategies and seeded generators for replica division (Webster, static, dynamic, aggregated).

Every strategy is valid by construction: counts are non-negative ints and, for
:func:`division_cases`, the candidate clusters can always hold the replicas to place, so a law
can call ``divide_dynamic`` without filtering examples.
"""

from __future__ import annotations

import random

import attrs
from hypothesis import strategies as st

__all__ = [
    "DivisionCase",
    "cluster_names",
    "division_cases",
    "generate_capacities",
    "generate_previous",
    "uids",
    "vote_maps",
]

#: UIDs from Karmada's own tests: the first hashes even (names ascending), the second odd.
KARMADA_TEST_UIDS = (
    "4858ca61-3ff8-4095-8267-f3d059d8074c",
    "d43fdeeb-d750-4e2b-bee3-64eb94534f4c",
)


def cluster_names(*, min_size: int = 0, max_size: int = 8) -> st.SearchStrategy[list[str]]:
    """Lists of distinct cluster names: short ASCII names (many ties in order) and unicode ones.

    >>> from hypothesis import find
    >>> find(cluster_names(min_size=2), lambda names: True)
    ['member1', 'member2']
    """
    name = st.one_of(
        st.sampled_from([f"member{index}" for index in range(1, 9)]),
        st.text(alphabet="abcxyzéΩ中-", min_size=1, max_size=4),
    )
    return st.lists(name, min_size=min_size, max_size=max_size, unique=True)


def uids() -> st.SearchStrategy[str | None]:
    """Workload UIDs: ``None``, ``""``, Karmada's test UIDs (both parities) and random text.

    >>> from hypothesis import find
    >>> find(uids(), lambda uid: uid is not None and len(uid) > 20)
    '4858ca61-3ff8-4095-8267-f3d059d8074c'
    """
    return st.one_of(st.none(), st.sampled_from(("", *KARMADA_TEST_UIDS)), st.text(max_size=12))


@st.composite
def vote_maps(
    draw: st.DrawFn,
    *,
    min_size: int = 0,
    max_size: int = 8,
    max_votes: int = 1000,
    allow_zero: bool = True,
) -> dict[str, int]:
    """Mappings cluster name → votes (weights or free capacity), ``int`` in [0, max_votes].

    Small vote values are drawn often so that priorities tie, which exercises the tie-breaks.

    >>> from hypothesis import find
    >>> find(vote_maps(min_size=2), lambda votes: sum(votes.values()) > 3)
    {'member1': 0, 'member2': 4}
    """
    low = 0 if allow_zero else 1
    names = draw(cluster_names(min_size=min_size, max_size=max_size))
    value = st.one_of(st.integers(low, max(low, 4)), st.integers(low, max(low, max_votes)))
    return {name: draw(value) for name in names}


@attrs.frozen(kw_only=True)
class DivisionCase:
    """One dynamic-division request: the arguments of ``divide_dynamic``/``divide_aggregated``.

    ``available`` and ``previous`` are stored as sorted tuples of pairs (hashable); use
    :meth:`available_map` and :meth:`previous_map` to get fresh dicts. ``previous`` may name
    clusters that are not candidates any more.
    """

    replicas: int
    available: tuple[tuple[str, int], ...]
    previous: tuple[tuple[str, int], ...]
    uid: str | None

    def available_map(self) -> dict[str, int]:
        """The candidate clusters and their free capacity, as a new dict."""
        return dict(self.available)

    def previous_map(self) -> dict[str, int]:
        """The previous division, as a new dict."""
        return dict(self.previous)

    @property
    def assigned(self) -> int:
        """Previous replicas on clusters that are still candidates."""
        candidates = dict(self.available)
        return sum(count for name, count in self.previous if name in candidates)


@st.composite
def division_cases(
    draw: st.DrawFn, *, max_clusters: int = 8, max_capacity: int = 50
) -> DivisionCase:
    """Feasible dynamic-division requests: a scale-up never asks for more than the free capacity.

    Draws candidates with free capacity, a previous result (over some candidates and some
    clusters that left), then ``replicas`` anywhere from 0 (full scale-down) to the previous
    replicas plus all free capacity, so scale-down, equal and scale-up are all covered.

    >>> from hypothesis import find
    >>> case = find(division_cases(), lambda case: case.replicas > 2)
    >>> case.replicas <= case.assigned + sum(case.available_map().values())
    True
    """
    names = draw(cluster_names(min_size=1, max_size=max_clusters))
    capacity = st.one_of(st.integers(0, 4), st.integers(0, max_capacity))
    available = {name: draw(capacity) for name in names}
    gone = draw(cluster_names(max_size=2).map(lambda extra: [n for n in extra if n not in names]))
    previous = {
        name: draw(st.integers(0, max_capacity)) for name in [*names, *gone] if draw(st.booleans())
    }
    assigned = sum(count for name, count in previous.items() if name in available)
    replicas = draw(st.integers(0, assigned + sum(available.values())))
    return DivisionCase(
        replicas=replicas,
        available=tuple(sorted(available.items())),
        previous=tuple(sorted(previous.items())),
        uid=draw(uids()),
    )


def generate_capacities(
    clusters: int, *, seed: int = 0xC0FFEE, low: int = 1, high: int = 1000
) -> dict[str, int]:
    """Free capacity (or weights) for ``clusters`` clusters named ``cluster-00000``…, seeded.

    >>> generate_capacities(2, seed=1) == generate_capacities(2, seed=1)
    True
    """
    rng = random.Random(seed)
    width = max(5, len(str(clusters)))
    return {f"cluster-{index:0{width}d}": rng.randint(low, high) for index in range(clusters)}


def generate_previous(
    capacities: dict[str, int], replicas: int, *, seed: int = 0xC0FFEE
) -> dict[str, int]:
    """A previous division of ``replicas`` over the clusters of ``capacities``, seeded.

    Roughly proportional to capacity (each cluster gets its floor share, the remainder goes to
    random clusters), as a previous dynamic division would be.

    >>> sum(generate_previous({"a": 1, "b": 3}, 10).values())
    10
    """
    rng = random.Random(seed)
    total = sum(capacities.values())
    previous = {name: replicas * free // total for name, free in capacities.items()}
    names = list(capacities)
    for _ in range(replicas - sum(previous.values())):
        previous[rng.choice(names)] += 1
    return previous
