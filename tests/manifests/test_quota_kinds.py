"""The quota kinds: Koordinator's flat ``ElasticQuota`` objects under the implicit root, and
the exemption of that root from the min-sum and key rules (Koordinator's webhook,
``pkg/webhook/elasticquota/quota_topology_check.go``)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from invsched import InvalidManifest
from invsched.manifests import ROOT_QUOTA, SkippedObject, load_files, loads
from invsched.quota import Profile, QuotaNode, QuotaTree, Rule, validate_tree
from invsched.resources import Resources

HEADER = "apiVersion: scheduling.sigs.k8s.io/v1alpha1\nkind: ElasticQuota\n"


def quota(
    name: str,
    *,
    namespace: str = "koordinator-system",
    labels: str = "",
    annotations: str = "",
    spec: str = "{min: {cpu: 4}, max: {cpu: 8}}",
) -> str:
    """One ElasticQuota document."""
    text = f"{HEADER}metadata:\n  name: {name}\n  namespace: {namespace}\n"
    if labels:
        text += f"  labels: {labels}\n"
    if annotations:
        text += f"  annotations: {annotations}\n"
    return text + f"spec: {spec}\n"


PARENT = '{quota.scheduling.koordinator.sh/is-parent: "true"}'


def child_of(parent: str) -> str:
    return f"{{quota.scheduling.koordinator.sh/parent: {parent}}}"


def stream(*documents: str) -> str:
    return "---\n".join(documents)


def error(text: str) -> str:
    with pytest.raises(InvalidManifest) as raised:
        loads(text)
    return str(raised.value)


def cpu(amount: int) -> Resources:
    return Resources({"cpu": amount * 1000})


def test_flat_quotas_build_one_tree_under_the_implicit_root() -> None:
    text = stream(
        quota("dept", labels=PARENT, spec="{min: {cpu: 10}, max: {cpu: 20}}"),
        quota("team-a", namespace="team-a", labels=child_of("dept")),
        quota("team-b", labels=child_of("dept")),
        quota("other", spec="{min: {cpu: 2, nvidia.com/gpu: 1}, max: {cpu: 4}}"),
    )
    tree = loads(text).quota_tree
    assert tree == QuotaTree.from_nodes(
        [
            QuotaNode(
                name=ROOT_QUOTA,
                min=Resources({"cpu": 12000, "nvidia.com/gpu": 1000}),
                children=("dept", "other"),
            ),
            QuotaNode(
                name="dept",
                min=cpu(10),
                max=cpu(20),
                parent=ROOT_QUOTA,
                children=("team-a", "team-b"),
            ),
            QuotaNode(name="team-a", min=cpu(4), max=cpu(8), parent="dept", namespaces=("team-a",)),
            QuotaNode(name="team-b", min=cpu(4), max=cpu(8), parent="dept"),
            QuotaNode(
                name="other",
                min=Resources({"cpu": 2000, "nvidia.com/gpu": 1000}),
                max=cpu(4),
                parent=ROOT_QUOTA,
            ),
        ],
        implicit_root=True,
    )
    assert tree is not None
    assert tree.quota_for_namespace("team-a") == "team-a"
    assert tree.quota_for_namespace("koordinator-system") is None
    assert tree.queue_name("team-a") == "koordinator-root-quota-dept-team-a"


def test_labels_and_annotations_follow_koordinator_defaults() -> None:
    text = stream(
        quota(
            "lender",
            labels='{quota.scheduling.koordinator.sh/allow-lent-resource: "false"}',
            annotations=(
                "{quota.scheduling.koordinator.sh/shared-weight: "
                '\'{"cpu":"40","nvidia.com/gpu":2}\', '
                'quota.scheduling.koordinator.sh/namespaces: \'["ns-a", "ns-b"]\'}'
            ),
        ),
        # Koordinator: allow-lent is on unless "false"; is-parent only for "true"; a zero
        # shared weight means "use max".
        quota(
            "plain",
            labels='{quota.scheduling.koordinator.sh/allow-lent-resource: "False", '
            'quota.scheduling.koordinator.sh/is-parent: "True", '
            'quota.scheduling.koordinator.sh/parent: ""}',
            annotations='{quota.scheduling.koordinator.sh/shared-weight: \'{"cpu":"0"}\', '
            "quota.scheduling.koordinator.sh/namespaces: ''}",
        ),
        quota("rooted", labels=child_of(ROOT_QUOTA)),
    )
    tree = loads(text).quota_tree
    assert tree is not None
    lender, plain, rooted = tree.node("lender"), tree.node("plain"), tree.node("rooted")
    assert lender.allow_lent is False
    assert lender.shared_weight == Resources({"cpu": 40000, "nvidia.com/gpu": 2000})
    assert lender.namespaces == ("ns-a", "ns-b")
    assert (plain.allow_lent, plain.shared_weight, plain.namespaces) == (True, None, ())
    assert plain.weight == cpu(8)
    assert rooted.parent == ROOT_QUOTA


def test_a_leaf_takes_its_own_namespace_only_when_named_after_it() -> None:
    text = stream(
        quota("team-a", namespace="team-a", labels=PARENT),
        quota("team-b", namespace="team-b", labels=child_of("team-a")),
        quota("team-c", namespace="team-a", labels=child_of("team-a")),
        quota(
            "team-d",
            namespace="team-d",
            annotations='{quota.scheduling.koordinator.sh/namespaces: \'["team-d", "x"]\'}',
        ),
    )
    tree = loads(text).quota_tree
    assert tree is not None
    assert [(node.name, node.namespaces) for node in tree] == [
        (ROOT_QUOTA, ()),
        ("team-a", ()),
        ("team-b", ("team-b",)),
        ("team-c", ()),
        ("team-d", ("team-d", "x")),
    ]


def test_koordinators_own_quotas_are_skipped() -> None:
    text = stream(
        quota(ROOT_QUOTA, spec="{}"),
        quota("koordinator-system-quota", spec="{max: {cpu: 1000}}"),
        quota("team-a"),
        quota("koordinator-default-quota", spec="{max: {cpu: 1}}"),
    )
    manifests = loads(text)
    assert manifests.quota_tree is not None
    assert [node.name for node in manifests.quota_tree] == [ROOT_QUOTA, "team-a"]
    version = "scheduling.sigs.k8s.io/v1alpha1"
    assert manifests.skipped == (
        SkippedObject(0, "", version, "ElasticQuota", ROOT_QUOTA),
        SkippedObject(1, "", version, "ElasticQuota", "koordinator-system-quota"),
        SkippedObject(3, "", version, "ElasticQuota", "koordinator-default-quota"),
    )


def test_quotas_may_come_in_any_order_and_any_file(tmp_path: Path) -> None:
    children = tmp_path / "children.yaml"
    children.write_text(quota("team-a", labels=child_of("dept")), encoding="utf-8")
    parents = tmp_path / "parents.yaml"
    parents.write_text(quota("dept", labels=PARENT, spec="{min: {cpu: 8}}"), encoding="utf-8")
    tree = load_files([children, parents]).quota_tree
    assert tree is not None
    assert [node.name for node in tree] == [ROOT_QUOTA, "dept", "team-a"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            stream(quota("a"), quota("b"), quota("a")),
            "document 2: metadata.name: a second quota named 'a' (the first is document 0)",
        ),
        (
            quota("a", labels=child_of("nope")),
            "document 0: metadata.labels.quota.scheduling.koordinator.sh/parent: the parent "
            "quota 'nope' is not in the input",
        ),
        (
            stream(quota("dept"), quota("a", labels=child_of("dept"))),
            "document 1: metadata.labels.quota.scheduling.koordinator.sh/parent: the parent "
            "quota 'dept' (document 0) is not labelled quota.scheduling.koordinator.sh/"
            'is-parent: "true"',
        ),
        (
            stream(
                quota(
                    "a",
                    labels='{quota.scheduling.koordinator.sh/is-parent: "true", '
                    "quota.scheduling.koordinator.sh/parent: b}",
                ),
                quota(
                    "b",
                    labels='{quota.scheduling.koordinator.sh/is-parent: "true", '
                    "quota.scheduling.koordinator.sh/parent: a}",
                ),
                quota("c"),
            ),
            "document 0: metadata.labels.quota.scheduling.koordinator.sh/parent: the quotas "
            "['a', 'b'] are each other's parents, detached from the root",
        ),
        (
            quota("a", labels=child_of("Team_A")),
            "document 0: metadata.labels.quota.scheduling.koordinator.sh/parent: must be a "
            "DNS-1123 subdomain (at most 253 lower-case letters, digits, '-' or '.', starting "
            "and ending with a letter or digit), got 'Team_A'",
        ),
        (
            quota("a", labels="{quota.scheduling.koordinator.sh/is-parent: true}"),
            "document 0: metadata.labels.quota.scheduling.koordinator.sh/is-parent: expected "
            "a string, got bool True (quote it: label and annotation values are strings)",
        ),
        (
            quota("a", spec="{min: {cpu: 1}, mins: {cpu: 2}}"),
            "document 0: spec.mins: unknown field (expected one of max, min)",
        ),
        (
            quota("a", spec="{min: {cpu: 12x}}"),
            "document 0: spec.min.cpu: invalid quantity '12x': unexpected character 'x' at "
            "position 2",
        ),
        (
            quota("a", annotations="{quota.scheduling.koordinator.sh/shared-weight: '{cpu: 1}'}"),
            "document 0: metadata.annotations.quota.scheduling.koordinator.sh/shared-weight: "
            "expected a resource list as JSON, got '{cpu: 1}' (Expecting property name "
            "enclosed in double quotes: line 1 column 2 (char 1))",
        ),
        (
            quota("a", annotations="{quota.scheduling.koordinator.sh/shared-weight: '[1]'}"),
            "document 0: metadata.annotations.quota.scheduling.koordinator.sh/shared-weight: "
            "expected a JSON object of quantities, got list '[1]'",
        ),
        (
            quota(
                "a",
                annotations='{quota.scheduling.koordinator.sh/shared-weight: \'{"cpu": "lots"}\'}',
            ),
            "document 0: metadata.annotations.quota.scheduling.koordinator.sh/shared-weight."
            "cpu: invalid quantity 'lots': unexpected character 'l' at position 0",
        ),
        (
            quota(
                "a",
                annotations='{quota.scheduling.koordinator.sh/namespaces: \'["ok", "Bad"]\'}',
            ),
            "document 0: metadata.annotations.quota.scheduling.koordinator.sh/namespaces: "
            "item 1: must be a DNS-1123 label (at most 63 lower-case letters, digits or '-', "
            "starting and ending with a letter or digit), got 'Bad'",
        ),
        (
            quota(
                "a",
                annotations="{quota.scheduling.koordinator.sh/namespaces: '" + "[" * 100_000 + "'}",
            ),
            "document 0: metadata.annotations.quota.scheduling.koordinator.sh/namespaces: "
            "expected a list of namespaces as JSON, got a value nested too deeply",
        ),
        (
            stream(
                quota("a"),
                "kind: ElasticQuotaTree\nspec: {root: {name: root}}\n",
            ),
            "document 1: kind: ElasticQuota objects and an ElasticQuotaTree cannot describe "
            "the quotas together (the other is document 0); use one or the other",
        ),
        (
            stream(
                "kind: ElasticQuotaTree\nspec: {root: {name: root}}\n",
                quota("a"),
            ),
            "document 1: kind: ElasticQuota objects and an ElasticQuotaTree cannot describe "
            "the quotas together (the other is document 0); use one or the other",
        ),
        (
            stream(
                quota("a", spec="{min: {cpu: " + "9" * 97 + "}}"),
                quota("b", spec="{min: {cpu: " + "9" * 97 + "}}"),
            ),
            "document 1: spec.min: the mins of the quotas under koordinator-root-quota add up "
            "beyond 10^100 milli-units",
        ),
        (
            f"{HEADER}metadata: {{name: a, namespace: A}}\n",
            "document 0: metadata.namespace: must be a DNS-1123 label (at most 63 lower-case "
            "letters, digits or '-', starting and ending with a letter or digit), got 'A'",
        ),
    ],
)
def test_refusals_name_the_object_and_the_field(text: str, message: str) -> None:
    assert error(text) == message


def test_mixing_the_kinds_names_both_files(tmp_path: Path) -> None:
    tree = tmp_path / "tree.yaml"
    tree.write_text("kind: ElasticQuotaTree\nspec: {root: {name: root}}\n", encoding="utf-8")
    flat = tmp_path / "flat.yaml"
    flat.write_text(quota("a"), encoding="utf-8")
    with pytest.raises(InvalidManifest) as raised:
        load_files([tree, flat])
    assert str(raised.value) == (
        f"{flat}: document 0: kind: ElasticQuota objects and an ElasticQuotaTree cannot "
        f"describe the quotas together (the other is {tree}, document 0); use one or the other"
    )


# The implicit root in validation ------------------------------------------------------------


def test_first_level_quotas_skip_the_min_sum_and_key_rules() -> None:
    # Koordinator's webhook skips checkMinQuotaSum and the key checks for a quota whose parent
    # is koordinator-root-quota: first-level quotas may use any keys and any mins.
    text = stream(
        quota("gpu", spec="{min: {nvidia.com/gpu: 8}, max: {nvidia.com/gpu: 16}}"),
        quota("cpu", spec="{min: {cpu: 100}, max: {cpu: 200, memory: 1Ti}}"),
    )
    tree = loads(text).quota_tree
    assert tree is not None
    for profile in Profile:
        assert validate_tree(tree, profile).violations == ()
    # STRICT still compares what the root guarantees (the first-level mins) with the total.
    report = validate_tree(tree, Profile.STRICT, total=Resources({"cpu": 50000}))
    assert [violation.message for violation in report.violations] == [
        "koordinator-root-quota: min cpu=100 exceeds the cluster total cpu=50",
        "koordinator-root-quota: min nvidia.com/gpu=8 exceeds the cluster total nvidia.com/gpu=0",
    ]


def test_deeper_quotas_keep_every_rule() -> None:
    # The webhook's own examples: a child whose min exceeds its parent's, and a child whose
    # max keys differ (koordinator-sh/website, multi-hierarchy-elastic-quota-management.md).
    upstream = Path(__file__).parent / "upstream"
    tree = load_files([upstream / "koordinator-elastic-quota-max-keys.yaml"]).quota_tree
    assert tree is not None
    assert [(v.rule, v.node) for v in validate_tree(tree).violations] == [
        (Rule.MAX_KEYS_DIFFER_FROM_PARENT, "quota-example"),
    ]
    text = stream(
        quota("quota-parent-example", labels=PARENT, spec="{min: {cpu: 10}, max: {cpu: 40}}"),
        quota(
            "quota-example",
            labels=child_of("quota-parent-example"),
            spec="{min: {cpu: 20}, max: {cpu: 40}}",
        ),
    )
    tree = loads(text).quota_tree
    assert tree is not None
    assert [str(v) for v in validate_tree(tree).violations] == [
        "quota-parent-example: sum of children's min cpu=20 exceeds min cpu=10 (quota-example=20)"
    ]


def test_the_flag_on_a_tree_built_by_hand() -> None:
    nodes = [
        QuotaNode(name="cluster", min=cpu(3), children=("a", "b")),
        QuotaNode(name="a", parent="cluster", min=cpu(1), max=cpu(2)),
        QuotaNode(name="b", parent="cluster", min=Resources({"memory": 5}), max=cpu(2)),
    ]
    plain = QuotaTree.from_nodes(nodes)
    implicit = QuotaTree.from_nodes(nodes, implicit_root=True)
    assert plain != implicit
    assert QuotaTree(nodes=implicit.nodes, implicit_root=True) == implicit
    assert pickle.loads(pickle.dumps(implicit)) == implicit
    assert [(v.rule, v.node) for v in validate_tree(plain).violations] == [
        (Rule.MIN_KEY_NOT_IN_MAX, "cluster"),
        (Rule.CHILDREN_MIN_EXCEED_PARENT_MIN, "cluster"),
        (Rule.MAX_KEYS_DIFFER_FROM_PARENT, "a"),
        (Rule.MIN_KEY_NOT_IN_MAX, "b"),
        (Rule.CHILD_MIN_KEY_NOT_IN_PARENT_MIN, "b"),
        (Rule.MAX_KEYS_DIFFER_FROM_PARENT, "b"),
    ]
    # Only b's own rule stays: its min has a key its max lacks.
    assert [(v.rule, v.node) for v in validate_tree(implicit).violations] == [
        (Rule.MIN_KEY_NOT_IN_MAX, "b")
    ]
    with pytest.raises(InvalidManifest) as raised:
        QuotaTree.from_nodes(nodes, implicit_root=1)  # type: ignore[arg-type]
    assert str(raised.value) == "implicit_root: expected a bool, got 1"
    with pytest.raises(InvalidManifest) as raised:
        QuotaTree(nodes=plain.nodes, implicit_root="yes")  # type: ignore[arg-type]
    assert str(raised.value) == "implicit_root: expected a bool, got 'yes'"


def test_first_level_quotas_share_the_total_as_koordinators_worked_example() -> None:
    # Koordinator's multi-hierarchy elastic quota proposal: total 100; A (min 10, request 5),
    # B (min 15, request 20, weight 60), C (min 20, request 40, weight 50), D (min 15,
    # request 70, weight 80) get 5, 20, 35 and 40 (in whole units: milli-cpu here). As flat
    # quotas under the implicit root, they share the total as Koordinator's first level does.
    from invsched.quota import runtime_quota

    shares = {"a": (10, 1), "b": (15, 60), "c": (20, 50), "d": (15, 80)}
    text = stream(
        *(
            quota(
                name,
                spec=f"{{min: {{cpu: {low}m}}, max: {{cpu: 100m}}}}",
                annotations=f"{{quota.scheduling.koordinator.sh/shared-weight: "
                f'\'{{"cpu": "{weight}m"}}\'}}',
            )
            for name, (low, weight) in shares.items()
        )
    )
    tree = loads(text).quota_tree
    assert tree is not None
    requests = {"a": {"cpu": 5}, "b": {"cpu": 20}, "c": {"cpu": 40}, "d": {"cpu": 70}}
    runtime = runtime_quota(tree, requests, {"cpu": 100})
    assert {name: amounts["cpu"] for name, amounts in runtime.items()} == {
        ROOT_QUOTA: 100,
        "a": 5,
        "b": 20,
        "c": 35,
        "d": 40,
    }
