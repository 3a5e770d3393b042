"""Runtime quota: ``redistribute`` on one parent and ``runtime_quota`` over whole trees."""

from __future__ import annotations

import pickle

import pytest

from invsched.errors import InvalidQuotaTree, InvalidRequest
from invsched.quota._share import Rounding, Share, redistribute
from invsched.quota.runtime import aggregate_requests, runtime_quota
from invsched.quota.tree import QuotaNode, QuotaTree
from invsched.resources import Resources
from tests.quota.seed import seed_tree

GPU = "nvidia.com/gpu"


def share(
    name: str,
    min_: int,
    request: int,
    weight: int,
    *,
    allow_lent: bool = True,
    guarantee: int = 0,
) -> Share:
    return Share(
        name=name,
        min=min_,
        request=request,
        weight=weight,
        allow_lent=allow_lent,
        guarantee=guarantee,
    )


# redistribute ---------------------------------------------------------------------------------


def test_worked_example_from_the_proposal() -> None:
    shares = [
        share("A", 10, 5, 40),
        share("B", 15, 20, 60),
        share("C", 20, 40, 50),
        share("D", 15, 70, 80),
    ]
    assert redistribute(100, shares) == (5, 20, 35, 40)


def test_largest_remainder_gives_every_unit_and_breaks_ties_by_name() -> None:
    # 3 spare units over 10 equal borrowers: the old round-half-up gave everyone 0 (PR #2876).
    shares = [share(f"q{i}", 0, 5, 1) for i in range(9, -1, -1)]
    assert redistribute(3, shares) == (0, 0, 0, 0, 0, 0, 0, 1, 1, 1)
    assert redistribute(3, shares, rounding=Rounding.HALF_UP) == (0,) * 10


def test_half_up_may_over_give() -> None:
    # 2 units over 3 equal borrowers: each rounds 2/3 up to 1, handing out 3 of 2.
    shares = [share(name, 0, 5, 1) for name in "abc"]
    assert redistribute(2, shares, rounding=Rounding.HALF_UP) == (1, 1, 1)
    assert redistribute(2, shares) == (1, 1, 0)


def test_overflow_of_satisfied_borrowers_is_shared_again() -> None:
    # a needs 1 of its 50; the 49 it cannot take go to b.
    assert redistribute(100, [share("a", 0, 1, 1), share("b", 0, 1000, 1)]) == (1, 99)


def test_request_within_min_is_granted_even_when_mins_overcommit() -> None:
    assert redistribute(10, [share("a", 30, 20, 1), share("b", 30, 25, 1)]) == (20, 25)


def test_borrowers_keep_their_min_when_mins_overcommit() -> None:
    assert redistribute(10, [share("a", 30, 40, 1), share("b", 30, 5, 1)]) == (30, 5)


def test_non_lending_share_keeps_its_min() -> None:
    shares = [share("a", 30, 0, 1, allow_lent=False), share("b", 0, 100, 1)]
    assert redistribute(100, shares) == (30, 70)


def test_guarantee_raises_the_effective_min() -> None:
    shares = [share("a", 0, 50, 1, guarantee=40), share("b", 0, 100, 1)]
    assert redistribute(60, shares) == (50, 10)
    assert Share(name="a", min=10, request=0, weight=0, guarantee=40).effective_min == 40


def test_zero_total_weight_leaves_the_leftover_unassigned() -> None:
    assert redistribute(100, [share("a", 10, 50, 0), share("b", 0, 50, 0)]) == (10, 0)


def test_zero_weight_borrower_never_borrows() -> None:
    assert redistribute(100, [share("a", 10, 50, 0), share("b", 0, 50, 1)]) == (10, 50)


def test_empty_and_zero_total() -> None:
    assert redistribute(0, []) == ()
    assert redistribute(0, [share("a", 0, 10, 1)]) == (0,)


def test_huge_amounts_stay_exact() -> None:
    total = 10**30 + 7
    result = redistribute(total, [share("a", 0, total, 3), share("b", 0, total, 7)])
    assert sum(result) == total
    assert result == (3 * total // 10, 7 * total // 10 + 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min": -1}, "Share.min: must not be negative, got -1"),
        ({"request": 1.5}, "Share.request: expected an int of milli-units, got float 1.5"),
        ({"weight": True}, "Share.weight: expected an int of milli-units, got bool True"),
        ({"guarantee": -2}, "Share.guarantee: must not be negative, got -2"),
        (
            {"min": 10**150},
            "Share.min: must be below 10^100 in magnitude, got an int of 151 digits",
        ),
        (
            {"weight": 10**5000},
            "Share.weight: must be below 10^100 in magnitude, got an int of about 5001 digits",
        ),
        ({"allow_lent": 1}, "allow_lent: expected a bool, got 1"),
        ({"name": ""}, "name: expected a non-empty string, got ''"),
    ],
)
def test_share_rejects_bad_fields(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"name": "a", "min": 0, "request": 0, "weight": 0}
    fields.update(kwargs)
    with pytest.raises(InvalidRequest) as raised:
        Share(**fields)  # type: ignore[arg-type]
    assert str(raised.value) == message


def test_redistribute_rejects_bad_arguments() -> None:
    with pytest.raises(InvalidRequest, match=r"^total: must not be negative, got -1$"):
        redistribute(-1, [])
    with pytest.raises(
        InvalidRequest, match=r"^total: expected an int of milli-units, got float 1.0$"
    ):
        redistribute(1.0, [])  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest, match=r"^total: must be below 10\^100 in magnitude"):
        redistribute(10**100, [])
    with pytest.raises(InvalidRequest, match=r"^shares\[1\]: expected a Share, got int 3$"):
        redistribute(1, [share("a", 0, 0, 0), 3])  # type: ignore[list-item]
    with pytest.raises(InvalidRequest, match=r"^shares: expected a sequence of Share, got int 3$"):
        redistribute(1, 3)  # type: ignore[arg-type]
    with pytest.raises(
        InvalidRequest, match=r"^shares: expected a sequence of Share, got str 'ab'$"
    ):
        redistribute(1, "ab")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest, match=r"^shares\[1\].name: duplicate name 'a'$"):
        redistribute(1, [share("a", 0, 0, 0), share("a", 1, 1, 1)])
    with pytest.raises(InvalidRequest, match=r"^rounding: expected one of Rounding\..*'half-up'$"):
        redistribute(1, [], rounding="half-up")  # type: ignore[arg-type]


def test_share_is_hashable_and_picklable() -> None:
    record = share("a", 1, 2, 3)
    assert pickle.loads(pickle.dumps(record)) == record
    assert len({record, share("a", 1, 2, 3)}) == 1


# runtime_quota --------------------------------------------------------------------------------


def _cpu(amount: int) -> Resources:
    return Resources({"cpu": amount})


def _flat(**children: tuple[int, int | None]) -> QuotaTree:
    """A root (no min, no max) over leaves given as name=(min, max or None for unlimited)."""
    nodes = [QuotaNode(name="root", children=tuple(children))]
    for name, (low, high) in children.items():
        nodes.append(
            QuotaNode(
                name=name,
                parent="root",
                min=_cpu(low),
                max=Resources() if high is None else _cpu(high),
            )
        )
    return QuotaTree.from_nodes(nodes)


def test_seed_tree_everyone_asks_for_max() -> None:
    tree = seed_tree()
    requests = {leaf.name: leaf.max for leaf in tree.leaves}
    result = runtime_quota(tree, requests, tree.root.max)
    gib = 1024**3 * 1000
    assert result["root"] == Resources({"cpu": 100_000, "memory": 50 * gib, GPU: 16_000})
    assert result["devops"] == Resources({"cpu": 20_000, "memory": 10 * gib, GPU: 4_000})
    assert result["algorithm"] == Resources({"cpu": 50_000, "memory": 25 * gib, GPU: 10_000})
    # The seed over-commits algorithm's min (40 + 12 > 50 cpu): the mins are scaled to
    # 38461m and 11538m, and the last milli-core goes to the larger remainder (text).
    # Memory (15Gi + 12Gi > 25Gi) scales in whole bytes.
    assert result["text"] == Resources(
        {"cpu": 38_462, "memory": (25 * 1024**3 * 15 // 27 + 1) * 1000, GPU: 8_000}
    )
    assert result["video"] == Resources(
        {"cpu": 11_538, "memory": (25 * 1024**3 * 12 // 27) * 1000, GPU: 2_000}
    )
    assert result["infrastructure"] == result["test"]
    assert result["test"] == Resources({"cpu": 30_000, "memory": 15 * gib, GPU: 2_000})


def test_idle_tree_has_zero_runtime_everywhere() -> None:
    tree = seed_tree()
    result = runtime_quota(tree, {}, tree.root.max)
    assert list(result) == [node.name for node in tree]
    assert all(runtime == Resources({"cpu": 0, "memory": 0, GPU: 0}) for runtime in result.values())


def test_gpus_are_shared_in_whole_units() -> None:
    # 3 spare GPUs over 4 equal borrowers: three quotas get a whole GPU (not 750m each).
    gpus = "abcd"
    nodes = [QuotaNode(name="root", children=tuple(gpus))]
    nodes += [QuotaNode(name=name, parent="root", max=Resources({GPU: 8000})) for name in gpus]
    tree = QuotaTree.from_nodes(nodes)
    requests = {name: Resources({GPU: 2000}) for name in gpus}
    result = runtime_quota(tree, requests, Resources({GPU: 3000}))
    assert [result[name][GPU] for name in "abcd"] == [1000, 1000, 1000, 0]


def test_fractional_amounts_are_shared_in_milli_units() -> None:
    # 1.5 GPUs cannot be split in whole units: the split falls back to milli-units.
    tree = _flat(a=(0, None), b=(0, None))
    requests = {name: Resources({GPU: 2000}) for name in "ab"}
    result = runtime_quota(tree, requests, Resources({GPU: 1500}))
    assert (result["a"][GPU], result["b"][GPU]) == (750, 750)


def test_missing_max_key_is_unlimited_and_weighs_the_whole_parent() -> None:
    tree = _flat(capped=(0, 10_000), free=(0, None))
    requests = {"capped": _cpu(100_000), "free": _cpu(100_000)}
    result = runtime_quota(tree, requests, _cpu(30_000))
    # Weights 10000 (capped's max) : 30000 (what root shares out) -> 7500 : 22500.
    assert (result["capped"]["cpu"], result["free"]["cpu"]) == (7_500, 22_500)


def test_unlimited_weighs_the_same_for_gpus_shared_in_whole_units() -> None:
    # The cpu case above, in GPUs: whole-unit sharing must not change the weights' ratio.
    nodes = [
        QuotaNode(name="root", children=("capped", "free")),
        QuotaNode(name="capped", parent="root", max=Resources({GPU: 10_000})),
        QuotaNode(name="free", parent="root"),
    ]
    tree = QuotaTree.from_nodes(nodes)
    requests = {name: Resources({GPU: 100_000}) for name in ("capped", "free")}
    result = runtime_quota(tree, requests, Resources({GPU: 30_000}))
    # Weights 10 GPUs : 30 GPUs -> 7.5 : 22.5, rounded to whole GPUs by largest remainder
    # (a tie of remainders, broken by name: capped).
    assert (result["capped"][GPU], result["free"][GPU]) == (8_000, 22_000)


def test_explicit_zero_max_allows_nothing() -> None:
    tree = _flat(none=(0, 0), some=(0, None))
    result = runtime_quota(tree, {"none": _cpu(5000), "some": _cpu(5000)}, _cpu(10_000))
    assert (result["none"]["cpu"], result["some"]["cpu"]) == (0, 5000)


def test_shared_weight_overrides_max_and_all_zero_weight_means_max() -> None:
    nodes = [
        QuotaNode(name="root", children=("a", "b")),
        QuotaNode(name="a", parent="root", max=_cpu(100), shared_weight=_cpu(3)),
        QuotaNode(name="b", parent="root", max=_cpu(100), shared_weight=_cpu(1)),
    ]
    tree = QuotaTree.from_nodes(nodes)
    requests = {"a": _cpu(100), "b": _cpu(100)}
    result = runtime_quota(tree, requests, _cpu(40))
    assert (result["a"]["cpu"], result["b"]["cpu"]) == (30, 10)
    zero = QuotaTree.from_nodes(
        [
            nodes[0],
            nodes[1],
            QuotaNode(name="b", parent="root", max=_cpu(100), shared_weight=_cpu(0)),
        ]
    )
    result = runtime_quota(zero, requests, _cpu(40))
    # b's all-zero shared weight reads as its max (100) against a's weight 3.
    assert (result["a"]["cpu"], result["b"]["cpu"]) == (1, 39)


def test_non_lending_parent_counts_at_least_its_min_upwards() -> None:
    nodes = [
        QuotaNode(name="root", children=("team", "other")),
        QuotaNode(name="team", parent="root", min=_cpu(40), max=_cpu(100), allow_lent=False),
        QuotaNode(name="other", parent="root", max=_cpu(100)),
    ]
    tree = QuotaTree.from_nodes(nodes)
    demand = aggregate_requests(tree, {"other": _cpu(100)})
    assert demand == {"root": _cpu(140), "team": _cpu(40), "other": _cpu(100)}
    result = runtime_quota(tree, {"other": _cpu(100)}, _cpu(100))
    assert (result["team"]["cpu"], result["other"]["cpu"]) == (40, 60)


def test_root_runtime_is_capped_by_total_and_by_its_request() -> None:
    tree = _flat(a=(0, None))
    assert runtime_quota(tree, {"a": _cpu(70)}, _cpu(100))["root"] == _cpu(70)
    assert runtime_quota(tree, {"a": _cpu(170)}, _cpu(100))["root"] == _cpu(100)


def test_resources_missing_from_total_are_zero() -> None:
    tree = _flat(a=(0, None))
    result = runtime_quota(tree, {"a": Resources({"cpu": 10, GPU: 1000})}, _cpu(100))
    assert result["a"] == Resources({"cpu": 10, GPU: 0})


def test_plain_dict_inputs_are_accepted() -> None:
    tree = _flat(a=(0, None))
    assert runtime_quota(tree, {"a": {"cpu": 10}}, {"cpu": 100})["a"] == _cpu(10)


def test_ten_thousand_deep_chain() -> None:
    depth = 10_000
    nodes = [
        QuotaNode(
            name=f"n{i}",
            parent=None if i == 0 else f"n{i - 1}",
            children=() if i == depth - 1 else (f"n{i + 1}",),
            max=_cpu(50),
        )
        for i in range(depth)
    ]
    tree = QuotaTree.from_nodes(nodes)
    result = runtime_quota(tree, {f"n{depth - 1}": _cpu(80)}, _cpu(100))
    assert result["n0"] == result[f"n{depth - 1}"] == _cpu(50)
    assert aggregate_requests(tree, {f"n{depth - 1}": _cpu(80)})["n0"] == _cpu(50)


@pytest.mark.parametrize(
    ("requests", "total", "message"),
    [
        ({"nope": _cpu(1)}, _cpu(1), "requests['nope']: no quota named 'nope' in the tree"),
        (
            {"algorithm": _cpu(1)},
            _cpu(1),
            "requests['algorithm']: 'algorithm' is a parent quota; only leaves take requests",
        ),
        ({"text": _cpu(-1)}, _cpu(1), "requests['text'].cpu: must not be negative, got -1"),
        (
            {"text": {"cpu": 1.0}},
            _cpu(1),
            "requests['text'].cpu: expected an int of milli-units, got float 1.0",
        ),
        (
            {"text": [1]},
            _cpu(1),
            "requests['text']: expected a mapping of resource amounts, got list [1]",
        ),
        ({}, _cpu(-5), "total.cpu: must not be negative, got -5"),
        ({}, {"cpu": True}, "total.cpu: expected an int of milli-units, got bool True"),
        (
            {},
            {"cpu": 10**5000},
            "total.cpu: must be below 10^100 in magnitude, got an int of about 5001 digits",
        ),
        (
            {"text": {"cpu": 10**150}},
            _cpu(1),
            "requests['text'].cpu: must be below 10^100 in magnitude, got an int of 151 digits",
        ),
        ({}, 5, "total: expected a mapping of resource amounts, got int 5"),
        (
            {3: _cpu(1)},
            _cpu(1),
            "requests[3]: no quota named 3 in the tree",
        ),
    ],
)
def test_runtime_quota_rejects_bad_input(requests: object, total: object, message: str) -> None:
    with pytest.raises(InvalidRequest) as raised:
        runtime_quota(seed_tree(), requests, total)  # type: ignore[arg-type]
    assert str(raised.value) == message
    if requests:
        with pytest.raises(InvalidRequest) as raised:
            aggregate_requests(seed_tree(), requests)  # type: ignore[arg-type]
        assert str(raised.value) == message


def test_a_leaf_named_total_is_named_as_a_request() -> None:
    tree = _flat(total=(0, None))
    with pytest.raises(InvalidRequest) as raised:
        runtime_quota(tree, {"total": _cpu(-1)}, _cpu(1))
    assert str(raised.value) == "requests['total'].cpu: must not be negative, got -1"


def test_runtime_quota_rejects_negative_tree_amounts() -> None:
    tree = QuotaTree.from_nodes([QuotaNode(name="root", min=_cpu(-1), max=_cpu(-2))])
    with pytest.raises(InvalidQuotaTree) as raised:
        runtime_quota(tree, {}, _cpu(1))
    assert str(raised.value) == (
        "invalid quota tree (2 violations): root: min cpu=-1 is negative; "
        "root: max cpu=-2 is negative"
    )


def test_runtime_quota_rejects_bad_options() -> None:
    tree = seed_tree()
    with pytest.raises(InvalidRequest, match=r"^scale_min: expected a bool, got 1$"):
        runtime_quota(tree, {}, _cpu(1), scale_min=1)  # type: ignore[arg-type]
    with pytest.raises(
        InvalidRequest,
        match=r"^rounding: expected one of Rounding.LARGEST_REMAINDER, Rounding.HALF_UP, got 'x'$",
    ):
        runtime_quota(tree, {}, _cpu(1), rounding="x")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest, match=r"^tree: expected a QuotaTree, got dict$"):
        runtime_quota({}, {}, _cpu(1))  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest, match=r"^requests: expected a mapping, got list \[\]$"):
        runtime_quota(tree, [], _cpu(1))  # type: ignore[arg-type]


def test_generate_tree_is_deterministic_and_valid() -> None:
    from invsched.quota.validation import Profile, validate_tree
    from invsched.testing import generate_tree

    tree = generate_tree(1000, 4, seed=3)
    assert tree == generate_tree(1000, 4, seed=3)
    assert tree != generate_tree(1000, 4, seed=4)
    assert validate_tree(tree, Profile.KOORDINATOR).ok
    assert validate_tree(tree, Profile.STRICT).ok
    assert len(tree.leaves) == 1000
    assert all(len(leaf.namespaces) == 1 for leaf in tree.leaves)
    assert {tree.depth(leaf.name) for leaf in tree.leaves} == {4}
    assert len(generate_tree(9000, 4, seed=0)) == 10_000
