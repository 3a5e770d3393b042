"""Koordinator's quota webhook tests, reproduced case by case on whole trees.

Upstream: koordinator-sh/koordinator ``pkg/webhook/elasticquota/quota_topology_test.go``,
which tests the checks of ``quota_topology_check.go`` and ``quota_topology.go``. Each pytest
id is ``<upstream test function>/<upstream case name>``. Upstream builds its quotas with
``MakeResourceList().CPU(n).Mem(m)``: ``n`` cores and ``m`` bytes; we build the same amounts.

Upstream checks one quota object against a cache of the others and stops at the first error;
we check a whole tree and report every violation. So where an upstream case isolates one
check in a tree that also breaks another rule, the expected list below holds every
violation of that tree, and a comment says which one the upstream case is about. The cases
that have no meaning for a single immutable tree are listed, with the reason, in
``docs/semantics.md`` ("Validation", Koordinator compatibility).
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import pytest

from invsched import InvalidQuotaTree, Resources
from invsched.quota import Profile, QuotaNode, QuotaTree, Rule, validate_tree

Row = tuple[Rule, str, str, str]

_MILLI = 1000


def _resources(cpu: int | None = None, mem: int | None = None) -> Resources:
    """Upstream's ``MakeResourceList().CPU(cpu).Mem(mem)``: cores and bytes."""
    amounts: dict[str, int] = {}
    if cpu is not None:
        amounts["cpu"] = cpu * _MILLI
    if mem is not None:
        amounts["memory"] = mem * _MILLI
    return Resources(amounts)


@attrs.frozen(kw_only=True)
class Quota:
    """One upstream ``MakeQuota(name)`` call: parent label, min, max, namespaces, weight."""

    name: str
    parent: str | None = None
    min: Resources = attrs.field(factory=Resources)
    max: Resources = attrs.field(factory=Resources)
    namespaces: tuple[str, ...] = ()
    shared_weight: Resources | None = None


def _tree(quotas: Sequence[Quota]) -> QuotaTree:
    """The tree of the quotas; children in the order given (upstream orders none)."""
    children: dict[str, list[str]] = {quota.name: [] for quota in quotas}
    for quota in quotas:
        if quota.parent is not None:
            children[quota.parent].append(quota.name)
    return QuotaTree.from_nodes(
        QuotaNode(
            name=quota.name,
            parent=quota.parent,
            children=children[quota.name],
            min=quota.min,
            max=quota.max,
            namespaces=quota.namespaces,
            shared_weight=quota.shared_weight,
        )
        for quota in quotas
    )


BIG = _resources(cpu=120, mem=1048576)  # the upstream tests' usual max: 120 cores, 1Mi


CASES = [
    # TestQuotaTopology_basicItemCheck → validateQuotaSelfItem --------------------------------
    pytest.param(
        [Quota(name="temp", max=BIG)],
        [],
        id="TestQuotaTopology_basicItemCheck/admit",
    ),
    pytest.param(
        [Quota(name="temp", max=_resources(cpu=-1, mem=1048576))],
        [(Rule.NEGATIVE_AMOUNT, "temp", "cpu", "temp: max cpu=-1 is negative")],
        id="TestQuotaTopology_basicItemCheck/max <0",
    ),
    pytest.param(
        [
            Quota(
                name="temp",
                min=_resources(cpu=-1, mem=1048576),
                max=_resources(cpu=1, mem=1048576),
            )
        ],
        [(Rule.NEGATIVE_AMOUNT, "temp", "cpu", "temp: min cpu=-1 is negative")],
        id="TestQuotaTopology_basicItemCheck/min <0",
    ),
    pytest.param(
        # memory is in min, not in max: upstream's newer message is "resourceKey memory of
        # quota temp is included in min, which is not included in max".
        [Quota(name="temp", min=_resources(cpu=1, mem=1048576), max=_resources(cpu=10))],
        [
            (
                Rule.MIN_KEY_NOT_IN_MAX,
                "temp",
                "memory",
                "temp: resource memory is in min but not in max",
            )
        ],
        id="TestQuotaTopology_basicItemCheck/min dimension larger than max (case 4)",
    ),
    pytest.param(
        [Quota(name="temp", min=_resources(cpu=12), max=_resources(cpu=10))],
        [(Rule.MIN_EXCEEDS_MAX, "temp", "cpu", "temp: min cpu=12 exceeds max cpu=10")],
        id="TestQuotaTopology_basicItemCheck/min > max",
    ),
    pytest.param(
        # Upstream reuses the name of case 4 for a negative shared-weight annotation.
        [Quota(name="temp", shared_weight=_resources(cpu=-1, mem=1048576))],
        [(Rule.NEGATIVE_AMOUNT, "temp", "cpu", "temp: sharedWeight cpu=-1 is negative")],
        id="TestQuotaTopology_basicItemCheck/min dimension larger than max (case 6)",
    ),
    # TestQuotaTopology_checkSubAndParentGroupMaxQuotaKeySame → checkSubAndParentGroupQuotaKey
    # with enableResourceTypeUpdate = false (the default of ElasticQuotaEnableUpdateResourceKey)
    pytest.param(
        [Quota(name="temp", max=BIG), Quota(name="temp-bu1", parent="temp", max=BIG)],
        [],
        id="TestQuotaTopology_checkSubAndParentGroupMaxQuotaKeySame/no tree",
    ),
    pytest.param(
        # A first-level leaf: upstream skips every topology check; ours is a lone root.
        [Quota(name="temp-bu1", max=BIG)],
        [],
        id="TestQuotaTopology_checkSubAndParentGroupMaxQuotaKeySame/parent is root",
    ),
    pytest.param(
        [
            Quota(name="temp", max=_resources(cpu=10, mem=120)),
            Quota(name="temp-bu1", parent="temp", max=_resources(cpu=120)),
        ],
        [
            (
                Rule.MAX_KEYS_DIFFER_FROM_PARENT,
                "temp-bu1",
                "",
                "temp-bu1: max keys ['cpu'] differ from the max keys ['cpu', 'memory'] of "
                "parent temp",
            )
        ],
        id="TestQuotaTopology_checkSubAndParentGroupMaxQuotaKeySame/"
        "child's max has different dimension with its,but be included, "
        "enableResourceTypeUpdate = false",
    ),
    pytest.param(
        # Same keys; the child's max cpu 120 above the parent's 10 is accepted.
        [
            Quota(name="temp", max=_resources(cpu=10)),
            Quota(name="temp-bu1", parent="temp", max=_resources(cpu=120)),
        ],
        [],
        id="TestQuotaTopology_checkSubAndParentGroupMaxQuotaKeySame/"
        "child's max has same dimension with its,but be included, "
        "enableResourceTypeUpdate = false",
    ),
    pytest.param(
        # Rejected with the gate on (not a subset) and with it off (not the same keys).
        [
            Quota(name="temp", max=_resources(mem=120)),
            Quota(name="temp-bu1", parent="temp", max=_resources(cpu=120)),
        ],
        [
            (
                Rule.MAX_KEYS_DIFFER_FROM_PARENT,
                "temp-bu1",
                "",
                "temp-bu1: max keys ['cpu'] differ from the max keys ['memory'] of parent temp",
            )
        ],
        id="TestQuotaTopology_checkSubAndParentGroupMaxQuotaKeySame/"
        "child's max has different dimension with its,not be included, "
        "enableResourceTypeUpdate = true",
    ),
    pytest.param(
        [
            Quota(name="temp", max=_resources(cpu=10, mem=120)),
            Quota(name="temp-bu1", parent="temp", max=_resources(cpu=120)),
        ],
        [
            (
                Rule.MAX_KEYS_DIFFER_FROM_PARENT,
                "temp-bu1",
                "",
                "temp-bu1: max keys ['cpu'] differ from the max keys ['cpu', 'memory'] of "
                "parent temp",
            )
        ],
        id="TestQuotaTopology_checkSubAndParentGroupMaxQuotaKeySame/"
        "its max has different dimension with parent's,but be included, "
        "enableResourceTypeUpdate = false",
    ),
    pytest.param(
        [
            Quota(name="temp", max=_resources(cpu=10)),
            Quota(name="temp-bu1", parent="temp", max=_resources(cpu=120)),
        ],
        [],
        id="TestQuotaTopology_checkSubAndParentGroupMaxQuotaKeySame/"
        "its max has same dimension with parent's,but be included, "
        "enableResourceTypeUpdate = false",
    ),
    pytest.param(
        [
            Quota(name="temp", max=_resources(mem=120)),
            Quota(name="temp-bu1", parent="temp", max=_resources(cpu=120)),
        ],
        [
            (
                Rule.MAX_KEYS_DIFFER_FROM_PARENT,
                "temp-bu1",
                "",
                "temp-bu1: max keys ['cpu'] differ from the max keys ['memory'] of parent temp",
            )
        ],
        id="TestQuotaTopology_checkSubAndParentGroupMaxQuotaKeySame/"
        "its max has different dimension with parent's,not be included, "
        "enableResourceTypeUpdate = true",
    ),
    pytest.param(
        # The case is about the min keys, which are included: no CHILD_MIN_KEY_NOT_IN_PARENT_MIN.
        # Neither quota has a max, so the rest of upstream's webhook (validateQuotaSelfItem,
        # checkMinQuotaValidate) rejects this tree too, as we do.
        [
            Quota(name="temp", min=_resources(cpu=10, mem=120)),
            Quota(name="temp-bu1", parent="temp", min=_resources(cpu=120)),
        ],
        [
            (Rule.MIN_KEY_NOT_IN_MAX, "temp", "cpu", "temp: resource cpu is in min but not in max"),
            (
                Rule.MIN_KEY_NOT_IN_MAX,
                "temp",
                "memory",
                "temp: resource memory is in min but not in max",
            ),
            (
                Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
                "temp",
                "cpu",
                "temp: sum of children's min cpu=120 exceeds min cpu=10 (temp-bu1=120)",
            ),
            (
                Rule.MIN_KEY_NOT_IN_MAX,
                "temp-bu1",
                "cpu",
                "temp-bu1: resource cpu is in min but not in max",
            ),
        ],
        id="TestQuotaTopology_checkSubAndParentGroupMaxQuotaKeySame/"
        "its min has different dimension with parent's,but be included, "
        "enableResourceTypeUpdate = false",
    ),
    pytest.param(
        # The case is about memory in the child's min and not in the parent's.
        [
            Quota(name="temp", min=_resources(cpu=10)),
            Quota(name="temp-bu1", parent="temp", min=_resources(cpu=120, mem=120)),
        ],
        [
            (Rule.MIN_KEY_NOT_IN_MAX, "temp", "cpu", "temp: resource cpu is in min but not in max"),
            (
                Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
                "temp",
                "cpu",
                "temp: sum of children's min cpu=120 exceeds min cpu=10 (temp-bu1=120)",
            ),
            (
                Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
                "temp",
                "memory",
                "temp: sum of children's min memory=120 exceeds min memory=0 (temp-bu1=120)",
            ),
            (
                Rule.MIN_KEY_NOT_IN_MAX,
                "temp-bu1",
                "cpu",
                "temp-bu1: resource cpu is in min but not in max",
            ),
            (
                Rule.MIN_KEY_NOT_IN_MAX,
                "temp-bu1",
                "memory",
                "temp-bu1: resource memory is in min but not in max",
            ),
            (
                Rule.CHILD_MIN_KEY_NOT_IN_PARENT_MIN,
                "temp-bu1",
                "memory",
                "temp-bu1: resource memory is in min but not in the min of parent temp",
            ),
        ],
        id="TestQuotaTopology_checkSubAndParentGroupMaxQuotaKeySame/"
        "its min has different dimension with parent's,not be all included, "
        "enableResourceTypeUpdate = false",
    ),
    pytest.param(
        # The min-key rule does not depend on the gate, and neither quota has a max key.
        [
            Quota(name="temp", min=_resources(cpu=10, mem=120)),
            Quota(name="temp-bu1", parent="temp", min=_resources(cpu=120)),
        ],
        [
            (Rule.MIN_KEY_NOT_IN_MAX, "temp", "cpu", "temp: resource cpu is in min but not in max"),
            (
                Rule.MIN_KEY_NOT_IN_MAX,
                "temp",
                "memory",
                "temp: resource memory is in min but not in max",
            ),
            (
                Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
                "temp",
                "cpu",
                "temp: sum of children's min cpu=120 exceeds min cpu=10 (temp-bu1=120)",
            ),
            (
                Rule.MIN_KEY_NOT_IN_MAX,
                "temp-bu1",
                "cpu",
                "temp-bu1: resource cpu is in min but not in max",
            ),
        ],
        id="TestQuotaTopology_checkSubAndParentGroupMaxQuotaKeySame/"
        "its min has different dimension with parent's,but be all included, "
        "enableResourceTypeUpdate = true",
    ),
    pytest.param(
        [
            Quota(name="temp", min=_resources(cpu=10)),
            Quota(name="temp-bu1", parent="temp", min=_resources(cpu=120, mem=120)),
        ],
        [
            (Rule.MIN_KEY_NOT_IN_MAX, "temp", "cpu", "temp: resource cpu is in min but not in max"),
            (
                Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
                "temp",
                "cpu",
                "temp: sum of children's min cpu=120 exceeds min cpu=10 (temp-bu1=120)",
            ),
            (
                Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
                "temp",
                "memory",
                "temp: sum of children's min memory=120 exceeds min memory=0 (temp-bu1=120)",
            ),
            (
                Rule.MIN_KEY_NOT_IN_MAX,
                "temp-bu1",
                "cpu",
                "temp-bu1: resource cpu is in min but not in max",
            ),
            (
                Rule.MIN_KEY_NOT_IN_MAX,
                "temp-bu1",
                "memory",
                "temp-bu1: resource memory is in min but not in max",
            ),
            (
                Rule.CHILD_MIN_KEY_NOT_IN_PARENT_MIN,
                "temp-bu1",
                "memory",
                "temp-bu1: resource memory is in min but not in the min of parent temp",
            ),
        ],
        id="TestQuotaTopology_checkSubAndParentGroupMaxQuotaKeySame/"
        "its min has different dimension with parent's,not be included, "
        "enableResourceTypeUpdate = true",
    ),
    # TestQuotaTopology_checkMinQuotaSum → checkMinQuotaValidate -------------------------------
    pytest.param(
        [
            Quota(name="temp", max=BIG, min=_resources(cpu=10, mem=51200)),
            Quota(name="sub-1", parent="temp", max=BIG, min=_resources(cpu=16, mem=12800)),
        ],
        [
            (
                Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
                "temp",
                "cpu",
                "temp: sum of children's min cpu=16 exceeds min cpu=10 (sub-1=16)",
            )
        ],
        id="TestQuotaTopology_checkMinQuotaSum/quotaInfo not satisfy",
    ),
    pytest.param(
        # The same tree seen from the child ("all brothers' MinQuota > parent MinQuota"); on a
        # whole tree the sibling rule and the children rule are one inequality at the parent.
        [
            Quota(name="temp", max=BIG, min=_resources(cpu=10, mem=51200)),
            Quota(name="sub-1", parent="temp", max=BIG, min=_resources(cpu=16, mem=12800)),
        ],
        [
            (
                Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
                "temp",
                "cpu",
                "temp: sum of children's min cpu=16 exceeds min cpu=10 (sub-1=16)",
            )
        ],
        id="TestQuotaTopology_checkMinQuotaSum/parentQuotaInfo not satisfy",
    ),
    pytest.param(
        # Memory 12801 > 12800 bytes, which also breaks sub-1's own min ≤ max. (Upstream's temp
        # is not labelled is-parent here; a tree derives that from its children.)
        [
            Quota(name="temp", max=BIG, min=_resources(cpu=16, mem=12800)),
            Quota(
                name="sub-1",
                parent="temp",
                max=_resources(cpu=120, mem=12800),
                min=_resources(cpu=16, mem=12801),
            ),
        ],
        [
            (
                Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
                "temp",
                "memory",
                "temp: sum of children's min memory=12801 exceeds min memory=12800 (sub-1=12801)",
            ),
            (
                Rule.MIN_EXCEEDS_MAX,
                "sub-1",
                "memory",
                "sub-1: min memory=12801 exceeds max memory=12800",
            ),
        ],
        id="TestQuotaTopology_checkMinQuotaSum/childQuotaInfo not satisfy",
    ),
    pytest.param(
        [
            Quota(name="temp", max=BIG, min=_resources(cpu=19, mem=51200)),
            Quota(name="sub-1", parent="temp", max=BIG, min=_resources(cpu=16, mem=12800)),
        ],
        [],
        id="TestQuotaTopology_checkMinQuotaSum/satisfy",
    ),
    pytest.param(
        # The case is about the min sum against a parent without min (missing = 0). The
        # parent has no max keys either, which upstream's key check rejects first.
        [
            Quota(name="temp-no-min"),
            Quota(name="sub-1", parent="temp-no-min", max=BIG, min=_resources(cpu=19, mem=51200)),
        ],
        [
            (
                Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
                "temp-no-min",
                "cpu",
                "temp-no-min: sum of children's min cpu=19 exceeds min cpu=0 (sub-1=19)",
            ),
            (
                Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
                "temp-no-min",
                "memory",
                "temp-no-min: sum of children's min memory=50Ki exceeds min memory=0 (sub-1=50Ki)",
            ),
            (
                Rule.CHILD_MIN_KEY_NOT_IN_PARENT_MIN,
                "sub-1",
                "cpu",
                "sub-1: resource cpu is in min but not in the min of parent temp-no-min",
            ),
            (
                Rule.CHILD_MIN_KEY_NOT_IN_PARENT_MIN,
                "sub-1",
                "memory",
                "sub-1: resource memory is in min but not in the min of parent temp-no-min",
            ),
            (
                Rule.MAX_KEYS_DIFFER_FROM_PARENT,
                "sub-1",
                "",
                "sub-1: max keys ['cpu', 'memory'] differ from the max keys [] of parent "
                "temp-no-min",
            ),
        ],
        id="TestQuotaTopology_checkMinQuotaSum/parent no resource",
    ),
    # TestQuotaTopology_ValidAddQuota --------------------------------------------------------
    pytest.param(
        [
            Quota(name="temp", max=BIG, min=_resources(cpu=64, mem=51200)),
            Quota(name="sub-1", parent="temp", max=BIG, min=_resources(cpu=16, mem=12800)),
            Quota(name="sub-2", parent="temp", max=BIG, min=_resources(cpu=16, mem=12800)),
        ],
        [],
        id="TestQuotaTopology_ValidAddQuota/temp, sub-1 and sub-2 are admitted",
    ),
    # TestQuotaTopology_ValidUpdateQuota: the tree an update would produce --------------------
    pytest.param(
        [
            Quota(name="temp", max=BIG, min=_resources(cpu=64, mem=51200)),
            Quota(
                name="sub-1",
                parent="temp",
                max=BIG,
                min=_resources(cpu=121, mem=1048576),
            ),
        ],
        [
            (
                Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
                "temp",
                "cpu",
                "temp: sum of children's min cpu=121 exceeds min cpu=64 (sub-1=121)",
            ),
            (
                Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
                "temp",
                "memory",
                "temp: sum of children's min memory=1Mi exceeds min memory=50Ki (sub-1=1Mi)",
            ),
            (Rule.MIN_EXCEEDS_MAX, "sub-1", "cpu", "sub-1: min cpu=121 exceeds max cpu=120"),
        ],
        id="TestQuotaTopology_ValidUpdateQuota/sub-1 min raised to cpu 121 is rejected",
    ),
    # TestQuotaTopology_AnnotationNamespaces: namespaces bound twice ---------------------------
    pytest.param(
        # Upstream's two quotas hang under the implicit cluster root; ours under a root with
        # no min and no max, which the cluster-root exemption makes equivalent.
        [
            Quota(name="root"),
            Quota(name="temp", parent="root", namespaces=("test1", "test2")),
            Quota(name="temp2", parent="root", namespaces=("test1", "test2")),
        ],
        [
            (
                Rule.DUPLICATE_NAMESPACE,
                "temp2",
                "",
                "temp2: namespace 'test1' is already bound to quota 'temp'",
            ),
            (
                Rule.DUPLICATE_NAMESPACE,
                "temp2",
                "",
                "temp2: namespace 'test2' is already bound to quota 'temp'",
            ),
        ],
        id="TestQuotaTopology_AnnotationNamespaces/temp2 adds test1 bound to temp",
    ),
    pytest.param(
        [Quota(name="root"), Quota(name="temp", parent="root", namespaces=("test2", "test3"))],
        [],
        id="TestQuotaTopology_AnnotationNamespaces/temp updates its namespaces to test2, test3",
    ),
    pytest.param(
        [
            Quota(name="root"),
            Quota(name="temp", parent="root", namespaces=("test2", "test3")),
            Quota(name="temp5", parent="root", namespaces=("test2",)),
        ],
        [
            (
                Rule.DUPLICATE_NAMESPACE,
                "temp5",
                "",
                "temp5: namespace 'test2' is already bound to quota 'temp'",
            )
        ],
        id="TestQuotaTopology_AnnotationNamespaces/temp5 updates its namespaces to test2",
    ),
    # TestQuotaTopology_AddPod_UpdatePod: pods may not bind to a parent quota ------------------
    pytest.param(
        # Our analog of a pod labelled with parent quota temp is a namespace on temp. The
        # upstream fixture adds its quotas without validation; as a tree it also breaks the
        # min sum (60 + 60 cores > 64), which we report.
        [
            Quota(
                name="temp",
                max=BIG,
                min=_resources(cpu=64, mem=51200),
                namespaces=("default",),
            ),
            Quota(name="sub-1", parent="temp", max=BIG, min=_resources(cpu=60, mem=12800)),
            Quota(name="sub-2", parent="temp", max=BIG, min=_resources(cpu=60, mem=12800)),
        ],
        [
            (
                Rule.NAMESPACE_ON_PARENT,
                "temp",
                "",
                "temp: namespaces ['default'] are on a quota with children ['sub-1', 'sub-2']; "
                "namespaces belong on leaves only",
            ),
            (
                Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
                "temp",
                "cpu",
                "temp: sum of children's min cpu=120 exceeds min cpu=64 (sub-1=60, sub-2=60)",
            ),
        ],
        id="TestQuotaTopology_AddPod_UpdatePod/pod2 linked to parent quota temp",
    ),
]


@pytest.mark.parametrize(("quotas", "expected"), CASES)
def test_koordinator_webhook_case(quotas: list[Quota], expected: list[Row]) -> None:
    report = validate_tree(_tree(quotas), Profile.KOORDINATOR)
    assert [(v.rule, v.node, v.resource, v.message) for v in report.violations] == expected
    assert report.ok is (not expected)


# Upstream cases that break the structure of a tree: QuotaTree refuses to build it -----------


@pytest.mark.parametrize(
    ("nodes", "defect"),
    [
        pytest.param(
            # The child is erased from the quota map but still listed under its parent.
            [QuotaNode(name="temp", max=BIG, children=("temp-bu1",))],
            "temp: child 'temp-bu1' does not exist",
            id="TestQuotaTopology_checkSubAndParentGroupMaxQuotaKeySame/bug",
        ),
        pytest.param(
            [QuotaNode(name="temp", max=BIG, children=("sub-1",))],
            "temp: child 'sub-1' does not exist",
            id="TestQuotaTopology_checkMinQuotaSum/bug",
        ),
        pytest.param(
            [
                QuotaNode(name="root", children=("temp",)),
                QuotaNode(name="temp", parent="root", max=BIG),
                QuotaNode(name="temp", parent="root", max=BIG),
            ],
            "temp: duplicate quota name",
            id="TestQuotaTopology_ValidAddQuota/add repeated quota",
        ),
        pytest.param(
            [QuotaNode(name="root"), QuotaNode(name="sub", parent="temp")],
            "sub: parent 'temp' does not exist",
            id="TestQuotaTopology_checkParentQuotaInfoExist/not find parentInfo in quotaInfoMap",
        ),
    ],
)
def test_koordinator_structural_case(nodes: list[QuotaNode], defect: str) -> None:
    with pytest.raises(InvalidQuotaTree) as raised:
        QuotaTree.from_nodes(nodes)
    assert defect in raised.value.violations


def test_koordinator_implicit_root_can_be_emulated() -> None:
    # Koordinator exempts its cluster root's children from the min-sum and key rules. A root
    # whose min is at least the sum of its children's and whose max keys are theirs gives
    # the same answer: here the first-level quotas of TestQuotaTopology_ValidUpdateQuota.
    quotas = [
        Quota(
            name="root",
            min=_resources(cpu=128, mem=102400),
            max=_resources(cpu=240, mem=2097152),
        ),
        Quota(name="temp", parent="root", max=BIG, min=_resources(cpu=64, mem=51200)),
        Quota(name="temp2", parent="root", max=BIG, min=_resources(cpu=64, mem=51200)),
        Quota(name="sub-1", parent="temp2", max=BIG, min=_resources(cpu=60, mem=12800)),
    ]
    assert validate_tree(_tree(quotas), Profile.KOORDINATOR).ok
