"""validate_tree: the always-checked rules and the three profiles, on hand-built trees."""

from __future__ import annotations

import pickle
from collections.abc import Mapping

import pytest

from invsched import InvalidQuotaTree, InvalidRequest, Resources
from invsched.quota import (
    Profile,
    QuotaNode,
    QuotaTree,
    Rule,
    ValidationReport,
    Violation,
    validate_tree,
)
from tests.quota.seed import seed_tree

Row = tuple[Rule, str, str, str]

SEED_KOORDINATOR: list[Row] = [
    (
        Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
        "algorithm",
        "cpu",
        "algorithm: sum of children's min cpu=52 exceeds min cpu=50 (text=40, video=12)",
    ),
    (
        Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
        "algorithm",
        "memory",
        "algorithm: sum of children's min memory=27Gi exceeds min memory=25Gi "
        "(text=15Gi, video=12Gi)",
    ),
]


def _node(
    name: str,
    *,
    parent: str | None = None,
    children: tuple[str, ...] = (),
    min_: Mapping[str, str | int] | None = None,
    max_: Mapping[str, str | int] | None = None,
    namespaces: tuple[str, ...] = (),
    shared_weight: Mapping[str, str | int] | None = None,
) -> QuotaNode:
    return QuotaNode(
        name=name,
        parent=parent,
        children=children,
        min=Resources.parse(min_ or {}),
        max=Resources.parse(max_ or {}),
        namespaces=namespaces,
        shared_weight=None if shared_weight is None else Resources.parse(shared_weight),
    )


def _rows(report: ValidationReport) -> list[Row]:
    return [(v.rule, v.node, v.resource, v.message) for v in report.violations]


# The seed tree -------------------------------------------------------------------------------


def test_seed_is_valid_under_ack_doc() -> None:
    report = validate_tree(seed_tree(), Profile.ACK_DOC)
    assert report.ok
    assert report.violations == ()
    assert report.profile is Profile.ACK_DOC


def test_seed_under_koordinator_reports_exactly_the_two_algorithm_violations() -> None:
    report = validate_tree(seed_tree())
    assert report.profile is Profile.KOORDINATOR
    assert not report.ok
    assert _rows(report) == SEED_KOORDINATOR


def test_seed_under_strict_with_total_equal_to_root_min() -> None:
    # Root min fits the total exactly and every child max is within its parent's max, so
    # STRICT adds nothing to KOORDINATOR's two findings.
    tree = seed_tree()
    report = validate_tree(tree, Profile.STRICT, total=tree.root.min)
    assert _rows(report) == SEED_KOORDINATOR
    assert _rows(validate_tree(tree, Profile.STRICT)) == SEED_KOORDINATOR


def test_seed_under_strict_with_a_smaller_total() -> None:
    tree = seed_tree()
    total = Resources.parse({"cpu": 99, "memory": "50Gi"})
    assert _rows(validate_tree(tree, Profile.STRICT, total=total)) == [
        (
            Rule.ROOT_MIN_EXCEEDS_TOTAL,
            "root",
            "cpu",
            "root: min cpu=100 exceeds the cluster total cpu=99",
        ),
        (
            Rule.ROOT_MIN_EXCEEDS_TOTAL,
            "root",
            "nvidia.com/gpu",
            "root: min nvidia.com/gpu=16 exceeds the cluster total nvidia.com/gpu=0",
        ),
        *SEED_KOORDINATOR,
    ]


# Rules every profile checks -------------------------------------------------------------------


def _always_tree() -> QuotaTree:
    # Σ children's min = 13 + (-3) = 10 = root min, so neither min-sum direction fires; every
    # child max is within the root's; min and max keys agree everywhere.
    return QuotaTree.from_nodes(
        [
            _node(
                "root",
                children=("a", "b"),
                min_={"cpu": 10},
                max_={"cpu": 10},
                namespaces=("shared",),
            ),
            _node("a", parent="root", min_={"cpu": 13}, max_={"cpu": 4}, namespaces=("shared",)),
            _node(
                "b",
                parent="root",
                min_={"cpu": -3},
                max_={"cpu": -2},
                shared_weight={"cpu": -1},
            ),
        ]
    )


@pytest.mark.parametrize("profile", list(Profile), ids=lambda p: p.value)
def test_always_checked_rules_all_at_once_in_pre_order(profile: Profile) -> None:
    assert _rows(validate_tree(_always_tree(), profile)) == [
        (
            Rule.NAMESPACE_ON_PARENT,
            "root",
            "",
            "root: namespaces ['shared'] are on a quota with children ['a', 'b']; "
            "namespaces belong on leaves only",
        ),
        (
            Rule.DUPLICATE_NAMESPACE,
            "a",
            "",
            "a: namespace 'shared' is already bound to quota 'root'",
        ),
        (Rule.MIN_EXCEEDS_MAX, "a", "cpu", "a: min cpu=13 exceeds max cpu=4"),
        (Rule.NEGATIVE_AMOUNT, "b", "cpu", "b: min cpu=-3 is negative"),
        (Rule.NEGATIVE_AMOUNT, "b", "cpu", "b: max cpu=-2 is negative"),
        (Rule.NEGATIVE_AMOUNT, "b", "cpu", "b: sharedWeight cpu=-1 is negative"),
    ]


@pytest.mark.parametrize("profile", list(Profile), ids=lambda p: p.value)
def test_missing_max_key_is_unlimited_for_min_le_max(profile: Profile) -> None:
    tree = QuotaTree.from_nodes([_node("solo", min_={"cpu": 5}, max_={"memory": "1Gi"})])
    rules = [v.rule for v in validate_tree(tree, profile).violations]
    # Never MIN_EXCEEDS_MAX: a missing max key is unlimited. KOORDINATOR and STRICT still
    # want the key present in max.
    expected = [] if profile is Profile.ACK_DOC else [Rule.MIN_KEY_NOT_IN_MAX]
    assert rules == expected


@pytest.mark.parametrize("profile", list(Profile), ids=lambda p: p.value)
def test_explicit_zero_max_is_a_limit(profile: Profile) -> None:
    tree = QuotaTree.from_nodes([_node("solo", min_={"cpu": "1m"}, max_={"cpu": 0})])
    assert _rows(validate_tree(tree, profile)) == [
        (Rule.MIN_EXCEEDS_MAX, "solo", "cpu", "solo: min cpu=1m exceeds max cpu=0")
    ]


@pytest.mark.parametrize("profile", list(Profile), ids=lambda p: p.value)
def test_a_valid_leaf_only_tree(profile: Profile) -> None:
    tree = QuotaTree.from_nodes(
        [_node("solo", min_={"cpu": 1}, max_={"cpu": 1}, namespaces=("x", "y"))]
    )
    report = validate_tree(tree, profile)
    assert report.ok
    report.raise_if_invalid()  # returns None when there is nothing to report


# KOORDINATOR ----------------------------------------------------------------------------------


def _key_tree() -> QuotaTree:
    return QuotaTree.from_nodes(
        [
            _node(
                "root",
                children=("a", "b"),
                min_={"cpu": 10},
                max_={"cpu": 10, "memory": "10Gi"},
            ),
            # memory in min but not in the parent's min; max keys missing memory; max cpu 50
            # above the parent's 10 (not compared by KOORDINATOR).
            _node("a", parent="root", min_={"cpu": 6, "memory": "1Gi"}, max_={"cpu": 50}),
            _node(
                "b",
                parent="root",
                min_={"cpu": 6, "nvidia.com/gpu": 1},
                max_={"cpu": 6, "memory": "1Gi"},
            ),
        ]
    )


def test_koordinator_key_rules_and_min_sum() -> None:
    assert _rows(validate_tree(_key_tree(), Profile.KOORDINATOR)) == [
        (
            Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
            "root",
            "cpu",
            "root: sum of children's min cpu=12 exceeds min cpu=10 (a=6, b=6)",
        ),
        (
            Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
            "root",
            "memory",
            "root: sum of children's min memory=1Gi exceeds min memory=0 (a=1Gi, b=0)",
        ),
        (
            Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
            "root",
            "nvidia.com/gpu",
            "root: sum of children's min nvidia.com/gpu=1 exceeds min nvidia.com/gpu=0 (a=0, b=1)",
        ),
        (Rule.MIN_KEY_NOT_IN_MAX, "a", "memory", "a: resource memory is in min but not in max"),
        (
            Rule.CHILD_MIN_KEY_NOT_IN_PARENT_MIN,
            "a",
            "memory",
            "a: resource memory is in min but not in the min of parent root",
        ),
        (
            Rule.MAX_KEYS_DIFFER_FROM_PARENT,
            "a",
            "",
            "a: max keys ['cpu'] differ from the max keys ['cpu', 'memory'] of parent root",
        ),
        (
            Rule.MIN_KEY_NOT_IN_MAX,
            "b",
            "nvidia.com/gpu",
            "b: resource nvidia.com/gpu is in min but not in max",
        ),
        (
            Rule.CHILD_MIN_KEY_NOT_IN_PARENT_MIN,
            "b",
            "nvidia.com/gpu",
            "b: resource nvidia.com/gpu is in min but not in the min of parent root",
        ),
    ]


def test_koordinator_does_not_compare_max_values() -> None:
    # Koordinator's design lets a child's max exceed its parent's (an admin throttles a
    # subtree by lowering one parent max); only the key sets must match.
    tree = QuotaTree.from_nodes(
        [
            _node("root", children=("a",), max_={"cpu": 10}),
            _node("a", parent="root", max_={"cpu": 120}),
        ]
    )
    assert validate_tree(tree, Profile.KOORDINATOR).ok
    assert _rows(validate_tree(tree, Profile.STRICT)) == [
        (
            Rule.CHILD_MAX_EXCEEDS_PARENT_MAX,
            "a",
            "cpu",
            "a: max cpu=120 exceeds the max cpu=10 of parent root",
        )
    ]


def test_koordinator_checks_the_explicit_roots_children() -> None:
    # Koordinator exempts the children of its implicit cluster root; our root is explicit,
    # with its own min, so its children's guarantees must fit in it.
    tree = QuotaTree.from_nodes(
        [
            _node("root", children=("a", "b"), max_={"cpu": 100}),
            _node("a", parent="root", min_={"cpu": 1}, max_={"cpu": 100}),
            _node("b", parent="root", min_={"cpu": 2}, max_={"cpu": 100}),
        ]
    )
    assert _rows(validate_tree(tree)) == [
        (
            Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
            "root",
            "cpu",
            "root: sum of children's min cpu=3 exceeds min cpu=0 (a=1, b=2)",
        ),
        (
            Rule.CHILD_MIN_KEY_NOT_IN_PARENT_MIN,
            "a",
            "cpu",
            "a: resource cpu is in min but not in the min of parent root",
        ),
        (
            Rule.CHILD_MIN_KEY_NOT_IN_PARENT_MIN,
            "b",
            "cpu",
            "b: resource cpu is in min but not in the min of parent root",
        ),
    ]


def test_koordinator_min_sum_equal_to_parent_min_is_valid() -> None:
    tree = QuotaTree.from_nodes(
        [
            _node("root", children=("a", "b"), min_={"cpu": 3}, max_={"cpu": 3}),
            _node("a", parent="root", min_={"cpu": 1}, max_={"cpu": 3}),
            _node("b", parent="root", min_={"cpu": 2}, max_={"cpu": 3}),
        ]
    )
    assert validate_tree(tree).ok


# ACK_DOC --------------------------------------------------------------------------------------


def test_ack_doc_rules() -> None:
    tree = QuotaTree.from_nodes(
        [
            _node(
                "root",
                children=("a", "b"),
                min_={"cpu": 10, "memory": "4Gi"},
                max_={"cpu": 10, "memory": "8Gi"},
            ),
            # a: max cpu above the parent's, memory missing (unlimited) under a finite 8Gi,
            # gpu only in the child (unlimited at the parent: nothing to exceed).
            _node("a", parent="root", min_={"cpu": 3}, max_={"cpu": 11, "nvidia.com/gpu": 1}),
            _node(
                "b",
                parent="root",
                min_={"cpu": 3, "memory": "1Gi"},
                max_={"cpu": 10, "memory": "8Gi"},
            ),
        ]
    )
    assert _rows(validate_tree(tree, Profile.ACK_DOC)) == [
        (
            Rule.PARENT_MIN_EXCEEDS_CHILDREN_MIN,
            "root",
            "cpu",
            "root: min cpu=10 exceeds the sum of children's min cpu=6 (a=3, b=3)",
        ),
        (
            Rule.PARENT_MIN_EXCEEDS_CHILDREN_MIN,
            "root",
            "memory",
            "root: min memory=4Gi exceeds the sum of children's min memory=1Gi (a=0, b=1Gi)",
        ),
        (
            Rule.CHILD_MAX_EXCEEDS_PARENT_MAX,
            "a",
            "cpu",
            "a: max cpu=11 exceeds the max cpu=10 of parent root",
        ),
        (
            Rule.CHILD_MAX_EXCEEDS_PARENT_MAX,
            "a",
            "memory",
            "a: max memory is unlimited but the max of parent root is 8Gi",
        ),
    ]


def test_ack_doc_ignores_koordinator_key_rules_and_koordinator_ignores_ack_min_rule() -> None:
    tree = QuotaTree.from_nodes(
        [
            _node("root", children=("a",), min_={"cpu": 5}, max_={"cpu": 5}),
            _node("a", parent="root", min_={"cpu": 1, "memory": 1}, max_={"cpu": 5, "pods": 3}),
        ]
    )
    ack = validate_tree(tree, Profile.ACK_DOC)
    assert [v.rule for v in ack.violations] == [Rule.PARENT_MIN_EXCEEDS_CHILDREN_MIN]
    koordinator = validate_tree(tree, Profile.KOORDINATOR)
    assert [v.rule for v in koordinator.violations] == [
        Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
        Rule.MIN_KEY_NOT_IN_MAX,
        Rule.CHILD_MIN_KEY_NOT_IN_PARENT_MIN,
        Rule.MAX_KEYS_DIFFER_FROM_PARENT,
    ]


# STRICT ---------------------------------------------------------------------------------------


def test_strict_is_koordinator_plus_max_values_and_total() -> None:
    tree = QuotaTree.from_nodes(
        [
            _node("root", children=("a",), min_={"cpu": 8}, max_={"cpu": 8, "memory": "2Gi"}),
            _node("a", parent="root", min_={"cpu": 9}, max_={"cpu": 9, "memory": "3Gi"}),
        ]
    )
    total = Resources.parse({"cpu": 7})
    assert _rows(validate_tree(tree, Profile.STRICT, total=total)) == [
        (
            Rule.ROOT_MIN_EXCEEDS_TOTAL,
            "root",
            "cpu",
            "root: min cpu=8 exceeds the cluster total cpu=7",
        ),
        (
            Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
            "root",
            "cpu",
            "root: sum of children's min cpu=9 exceeds min cpu=8 (a=9)",
        ),
        (
            Rule.CHILD_MAX_EXCEEDS_PARENT_MAX,
            "a",
            "cpu",
            "a: max cpu=9 exceeds the max cpu=8 of parent root",
        ),
        (
            Rule.CHILD_MAX_EXCEEDS_PARENT_MAX,
            "a",
            "memory",
            "a: max memory=3Gi exceeds the max memory=2Gi of parent root",
        ),
    ]
    koordinator = [
        row
        for row in _rows(validate_tree(tree, Profile.STRICT, total=total))
        if row[0] not in (Rule.ROOT_MIN_EXCEEDS_TOTAL, Rule.CHILD_MAX_EXCEEDS_PARENT_MAX)
    ]
    assert koordinator == _rows(validate_tree(tree, Profile.KOORDINATOR))


def test_strict_missing_child_max_key_under_a_finite_parent_max() -> None:
    tree = QuotaTree.from_nodes(
        [
            _node("root", children=("a",), max_={"cpu": 8}),
            _node("a", parent="root", max_={"cpu": 8}),
        ]
    )
    assert validate_tree(tree, Profile.STRICT).ok
    assert validate_tree(tree, Profile.STRICT, total=Resources()).ok
    tree = QuotaTree.from_nodes(
        [
            _node("root", children=("a",), max_={"cpu": 8, "memory": "1Gi"}),
            _node("a", parent="root", max_={"cpu": 8}),
        ]
    )
    assert _rows(validate_tree(tree, Profile.STRICT)) == [
        (
            Rule.MAX_KEYS_DIFFER_FROM_PARENT,
            "a",
            "",
            "a: max keys ['cpu'] differ from the max keys ['cpu', 'memory'] of parent root",
        ),
        (
            Rule.CHILD_MAX_EXCEEDS_PARENT_MAX,
            "a",
            "memory",
            "a: max memory is unlimited but the max of parent root is 1Gi",
        ),
    ]


# Order, reports and errors --------------------------------------------------------------------


def test_violations_are_grouped_by_node_in_pre_order() -> None:
    # root → (x → (x1, x2), y); every node breaks min ≤ max, x also the min sum.
    tree = QuotaTree.from_nodes(
        [
            _node("y", parent="root", min_={"cpu": 2}, max_={"cpu": 1}),
            _node("x2", parent="x", min_={"cpu": 2}, max_={"cpu": 1}),
            _node("root", children=("x", "y"), min_={"cpu": 9}, max_={"cpu": 1}),
            _node("x1", parent="x", min_={"cpu": 2}, max_={"cpu": 1}),
            _node("x", parent="root", children=("x1", "x2"), min_={"cpu": 2}, max_={"cpu": 1}),
        ]
    )
    assert [(v.node, v.rule) for v in validate_tree(tree).violations] == [
        ("root", Rule.MIN_EXCEEDS_MAX),
        ("x", Rule.MIN_EXCEEDS_MAX),
        ("x", Rule.CHILDREN_MIN_EXCEED_PARENT_MIN),
        ("x1", Rule.MIN_EXCEEDS_MAX),
        ("x2", Rule.MIN_EXCEEDS_MAX),
        ("y", Rule.MIN_EXCEEDS_MAX),
    ]


def test_min_sum_message_lists_at_most_ten_children() -> None:
    names = [f"c{i:02d}" for i in range(12)]
    tree = QuotaTree.from_nodes(
        [
            _node("root", children=tuple(names), max_={"cpu": 12}),
            *(_node(name, parent="root", min_={"cpu": 1}, max_={"cpu": 12}) for name in names),
        ]
    )
    report = validate_tree(tree, Profile.KOORDINATOR)
    assert report.violations[0].message == (
        "root: sum of children's min cpu=12 exceeds min cpu=0 (c00=1, c01=1, c02=1, c03=1, "
        "c04=1, c05=1, c06=1, c07=1, c08=1, c09=1, and 2 more)"
    )


def test_raise_if_invalid_lists_every_violation_and_pickles() -> None:
    report = validate_tree(seed_tree())
    with pytest.raises(InvalidQuotaTree) as raised:
        report.raise_if_invalid()
    error = raised.value
    assert error.violations == report.violations
    assert str(error) == (
        "invalid quota tree (2 violations): "
        "algorithm: sum of children's min cpu=52 exceeds min cpu=50 (text=40, video=12); "
        "algorithm: sum of children's min memory=27Gi exceeds min memory=25Gi "
        "(text=15Gi, video=12Gi)"
    )
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is InvalidQuotaTree
    assert copy.violations == error.violations
    assert str(copy) == str(error)


def test_report_and_violation_are_frozen_hashable_records() -> None:
    report = validate_tree(seed_tree())
    assert report == validate_tree(seed_tree())
    assert hash(report) == hash(validate_tree(seed_tree()))
    assert report.by_rule(Rule.CHILDREN_MIN_EXCEED_PARENT_MIN) == report.violations
    assert report.by_rule(Rule.MIN_EXCEEDS_MAX) == ()
    assert str(report.violations[0]) == report.violations[0].message
    assert pickle.loads(pickle.dumps(report)) == report


def test_record_fields_are_checked() -> None:
    with pytest.raises(
        InvalidRequest,
        match=r"^Violation.rule: expected one of Rule.NAMESPACE_ON_PARENT, .*, got 'x'$",
    ):
        Violation(rule="x", node="a", resource="", message="m")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest, match=r"^Violation.node: expected a str, got int 3$"):
        Violation(rule=Rule.MIN_EXCEEDS_MAX, node=3, resource="", message="m")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest) as raised:
        ValidationReport(profile="strict", violations=())  # type: ignore[arg-type]
    assert str(raised.value) == (
        "ValidationReport.profile: expected one of Profile.KOORDINATOR, Profile.ACK_DOC, "
        "Profile.STRICT, got 'strict'"
    )
    with pytest.raises(
        InvalidRequest,
        match=r"^ValidationReport.violations\[0\]: expected a Violation, got str 'm'$",
    ):
        ValidationReport(profile=Profile.STRICT, violations=["m"])
    with pytest.raises(
        InvalidRequest, match=r"^ValidationReport.violations: expected a sequence of Violation"
    ):
        ValidationReport(profile=Profile.STRICT, violations=3)
    with pytest.raises(InvalidRequest, match=r"^rule: expected one of Rule\."):
        validate_tree(seed_tree()).by_rule("min-exceeds-max")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"profile": "koordinator"},
            "profile: expected a Profile, got 'koordinator'",
        ),
        (
            {"total": {"cpu": 1000}},
            "total: expected Resources, got dict {'cpu': 1000}",
        ),
        (
            {"total": Resources({"cpu": 1000})},
            "total: is checked only by Profile.STRICT, not by Profile.KOORDINATOR",
        ),
        (
            {"profile": Profile.ACK_DOC, "total": Resources({"cpu": 1000})},
            "total: is checked only by Profile.STRICT, not by Profile.ACK_DOC",
        ),
        (
            {"profile": Profile.STRICT, "total": Resources({"cpu": 1000, "memory": -1024})},
            "total.memory: must not be negative, got memory=-1024m",
        ),
    ],
)
def test_bad_arguments(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidRequest) as raised:
        validate_tree(seed_tree(), **arguments)  # type: ignore[arg-type]
    assert str(raised.value) == message


def test_tree_argument_must_be_a_quota_tree() -> None:
    with pytest.raises(InvalidRequest) as raised:
        validate_tree([], Profile.STRICT)  # type: ignore[arg-type]
    assert str(raised.value) == "tree: expected a QuotaTree, got list"


def test_ten_thousand_deep_chain_is_validated_iteratively() -> None:
    depth = 10_000
    names = [f"q{i}" for i in range(depth)]
    nodes = [
        _node(
            name,
            parent=names[i - 1] if i else None,
            children=(names[i + 1],) if i + 1 < depth else (),
            min_={"cpu": 1},
            max_={"cpu": 1},
        )
        for i, name in enumerate(names)
    ]
    tree = QuotaTree.from_nodes(nodes)
    for profile in Profile:
        assert validate_tree(tree, profile).ok
    leaf_heavy = QuotaTree.from_nodes(
        [*nodes[:-1], _node(names[-1], parent=names[-2], min_={"cpu": 2}, max_={"cpu": 2})]
    )
    assert [(v.node, v.rule) for v in validate_tree(leaf_heavy).violations] == [
        (names[-2], Rule.CHILDREN_MIN_EXCEED_PARENT_MIN)
    ]
