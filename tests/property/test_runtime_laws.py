"""Laws of the runtime quota: ``redistribute`` on one parent, ``runtime_quota`` on trees."""

from __future__ import annotations

import random

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from invsched.quota._share import Rounding, Share, redistribute
from invsched.quota.runtime import aggregate_requests, runtime_quota
from invsched.quota.tree import QuotaNode, QuotaTree
from invsched.quota.validation import Profile, validate_tree
from invsched.resources import Resources
from invsched.testing import quota_trees

# Strategies -----------------------------------------------------------------------------------

_AMOUNT = st.integers(0, 50)
#: Milli-unit quantities, often whole units so that the whole-unit sharing path runs too.
_QUANTITY = st.one_of(st.integers(0, 30).map(lambda units: units * 1000), st.integers(0, 30_000))


@st.composite
def share_lists(draw: st.DrawFn, *, positive_weights: bool = False) -> list[Share]:
    """Up to 8 shares with distinct names and small amounts (ties are frequent)."""
    names = draw(st.lists(st.text("abcdef", min_size=1, max_size=3), unique=True, max_size=8))
    weights = st.integers(1, 9) if positive_weights else st.integers(0, 9)
    return [
        Share(
            name=name,
            min=draw(_AMOUNT),
            request=draw(_AMOUNT),
            weight=draw(weights),
            allow_lent=draw(st.booleans()),
            guarantee=draw(st.sampled_from([0, 0, 0, 10, 30])),
        )
        for name in names
    ]


@st.composite
def demands(draw: st.DrawFn, tree: QuotaTree) -> dict[str, Resources]:
    """Requests for some leaves, over the tree's resources and one extra name."""
    names = sorted({key for node in tree for key in (*node.min, *node.max)} | {"cpu"})
    out: dict[str, Resources] = {}
    for leaf in tree.leaves:
        if draw(st.booleans()):
            out[leaf.name] = Resources(
                {name: draw(_QUANTITY) for name in names if draw(st.booleans())}
            )
    return out


@st.composite
def scenarios(
    draw: st.DrawFn, profile: Profile = Profile.KOORDINATOR
) -> tuple[QuotaTree, dict[str, Resources], Resources]:
    tree = draw(quota_trees(max_nodes=10, profile=profile))
    requests = draw(demands(tree))
    names = sorted({key for node in tree for key in node.max} | {"cpu"})
    total = Resources({name: 2 * draw(_QUANTITY) for name in names})
    return tree, requests, total


def _effective_sum(shares: list[Share]) -> int:
    return sum(
        share.request
        if share.request <= share.effective_min and share.allow_lent
        else share.effective_min
        for share in shares
    )


# The strategy itself ---------------------------------------------------------------------------


@pytest.mark.parametrize("profile", list(Profile))
@given(data=st.data())
def test_generated_trees_are_valid_under_their_profile(
    profile: Profile, data: st.DataObject
) -> None:
    tree = data.draw(quota_trees(max_nodes=12, max_depth=3, profile=profile))
    report = validate_tree(tree, profile)
    assert report.ok, report.violations
    assert max(tree.depth(node.name) for node in tree) <= 3


# redistribute ---------------------------------------------------------------------------------


@given(share_lists(), st.integers(0, 200))
def test_each_part_lies_between_min_and_request(shares: list[Share], total: int) -> None:
    for share, part in zip(shares, redistribute(total, shares), strict=True):
        low = min(share.request, share.effective_min)
        if not share.allow_lent:
            low = share.effective_min
        assert low <= part <= max(share.request, share.effective_min)


@given(share_lists(), st.integers(0, 200))
def test_sum_never_exceeds_total_when_mins_fit(shares: list[Share], total: int) -> None:
    result = redistribute(total, shares)
    if _effective_sum(shares) <= total:
        assert sum(result) <= total
    else:
        # Over-committed mins: nobody borrows, every share keeps its starting amount.
        assert sum(result) == _effective_sum(shares)


@given(share_lists(positive_weights=True), st.integers(0, 200))
def test_work_conserving(shares: list[Share], total: int) -> None:
    """With positive weights, either every share gets its request or the total is used up."""
    result = redistribute(total, shares)
    if _effective_sum(shares) <= total:
        satisfied = all(part >= share.request for share, part in zip(shares, result, strict=True))
        assert satisfied or sum(result) == total


@given(share_lists(), st.integers(0, 200), st.randoms(use_true_random=False))
def test_order_of_shares_does_not_matter(
    shares: list[Share], total: int, rng: random.Random
) -> None:
    for rounding in Rounding:
        expected = dict(
            zip(
                [s.name for s in shares],
                redistribute(total, shares, rounding=rounding),
                strict=True,
            )
        )
        shuffled = list(shares)
        rng.shuffle(shuffled)
        got = dict(
            zip(
                [s.name for s in shuffled],
                redistribute(total, shuffled, rounding=rounding),
                strict=True,
            )
        )
        assert got == expected


@given(share_lists(), st.integers(0, 200))
def test_half_up_agrees_when_one_exact_round_suffices(shares: list[Share], total: int) -> None:
    """Equal weights, a leftover that divides evenly, and no borrower capped: same parts."""
    equal = [attrs.evolve(share, weight=1) for share in shares]
    needs = [s.request - s.effective_min for s in equal if s.request > s.effective_min]
    leftover = total - _effective_sum(equal)
    if (
        needs
        and leftover > 0
        and leftover % len(needs) == 0
        and min(needs) >= leftover // len(needs)
    ):
        assert redistribute(total, equal) == redistribute(total, equal, rounding=Rounding.HALF_UP)


# runtime_quota --------------------------------------------------------------------------------


@given(scenarios(), st.booleans())
def test_runtime_within_request_and_max(
    scenario: tuple[QuotaTree, dict[str, Resources], Resources], scale_min: bool
) -> None:
    tree, requests, total = scenario
    result = runtime_quota(tree, requests, total, scale_min=scale_min)
    demand = aggregate_requests(tree, requests)
    assert list(result) == list(demand) == [node.name for node in tree]
    for node in tree:
        for key, amount in result[node.name].items():
            assert 0 <= amount <= demand[node.name][key]
            if key in node.max:
                assert amount <= node.max[key]


@pytest.mark.parametrize("profile", list(Profile))
@given(data=st.data())
def test_children_share_at_most_their_parent(profile: Profile, data: st.DataObject) -> None:
    tree, requests, total = data.draw(scenarios(profile))
    result = runtime_quota(tree, requests, total)
    assert result[tree.root.name].fits_in(total)
    for node in tree:
        if node.children:
            children = sum((result[child] for child in node.children), Resources())
            assert children.fits_in(result[node.name])


@given(quota_trees(max_nodes=10), st.data())
def test_request_within_min_is_granted_when_mins_fit(tree: QuotaTree, data: st.DataObject) -> None:
    """KOORDINATOR trees with root.min ≤ total and positive weights: request ≤ min is granted."""
    names = sorted({key for node in tree for key in node.max} | {"cpu"})
    weighted = QuotaTree.from_nodes(
        attrs.evolve(node, shared_weight=Resources(dict.fromkeys(names, 1))) for node in tree
    )
    requests = data.draw(demands(weighted))
    extra = {name: data.draw(_QUANTITY) for name in names}
    total = Resources({name: weighted.root.min[name] + extra[name] for name in names})
    result = runtime_quota(weighted, requests, total)
    demand = aggregate_requests(weighted, requests)
    for node in weighted:
        for key, asked in demand[node.name].items():
            if asked <= node.min[key]:
                assert result[node.name][key] == asked


@given(scenarios(), st.randoms(use_true_random=False))
def test_order_of_children_and_requests_does_not_matter(
    scenario: tuple[QuotaTree, dict[str, Resources], Resources], rng: random.Random
) -> None:
    tree, requests, total = scenario
    expected = runtime_quota(tree, requests, total)
    shuffled_nodes: list[QuotaNode] = []
    for node in tree:
        children = list(node.children)
        rng.shuffle(children)
        shuffled_nodes.append(attrs.evolve(node, children=tuple(children)))
    rng.shuffle(shuffled_nodes)
    items = list(requests.items())
    rng.shuffle(items)
    got = runtime_quota(QuotaTree.from_nodes(shuffled_nodes), dict(items), total)
    assert dict(got) == dict(expected)


@given(scenarios())
def test_inputs_are_not_changed(
    scenario: tuple[QuotaTree, dict[str, Resources], Resources],
) -> None:
    tree, requests, total = scenario
    before = (QuotaTree.from_nodes(tree.nodes), dict(requests), total)
    runtime_quota(tree, requests, total)
    aggregate_requests(tree, requests)
    assert (tree, requests, total) == before
