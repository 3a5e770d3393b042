"""The placement kinds: Karmada's (and ACK One's) propagation policies, Deployments and
StatefulSets, and which policy places which workload.

Compatibility tests cite what they reproduce: Karmada's published samples (saved under
``upstream/`` with their source), its documentation's worked examples, and the cases of
``pkg/detector/compare_test.go`` (``Test_getHighestPriorityPropagationPolicies``,
``Test_GetHigherPriorityPropagationPolicy``).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import attrs
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from invsched import InsufficientReplicas, InvalidManifest, InvalidRequest
from invsched.manifests import (
    LabelRequirement,
    LabelSelector,
    Manifests,
    MatchPriority,
    PolicyMatch,
    PolicyObject,
    PolicyScope,
    ResourceSelector,
    SelectorOperator,
    WorkloadObject,
    load_file,
    load_files,
    loads,
    policy_for,
)
from invsched.placement import (
    Cluster,
    Fleet,
    Node,
    NodeProvision,
    NodeRelease,
    PlacementPolicy,
    ReplicaSchedulingType,
    WeightPreference,
    Workload,
    place,
)
from invsched.resources import Resources

ROOT: Final = Path(__file__).resolve().parents[2]
UPSTREAM: Final = ROOT / "tests" / "manifests" / "upstream"
EXAMPLES: Final = ROOT / "examples" / "placement"
A10: Final = "ecs.gn7i-c8g1.2xlarge"

NGINX_SELECTOR: Final = ResourceSelector(
    api_version="apps/v1", kind="Deployment", namespace="default", name="nginx"
)


def _upstream(name: str) -> Manifests:
    return load_file(UPSTREAM / name)


def _policy(name: str) -> PolicyObject:
    (policy,) = _upstream(name).policies
    return policy


def _nginx(replicas: int | None = None) -> WorkloadObject:
    (nginx,) = _upstream("karmada-nginx-deployment.yaml").workloads
    if replicas is None:
        return nginx
    return attrs.evolve(nginx, workload=attrs.evolve(nginx.workload, replicas=replicas))


def _members(*slots: int) -> Fleet:
    """Clusters member1, member2, ... with one node each, of ``slots`` free pod slots."""
    clusters = [
        Cluster(
            name=f"member{index}",
            region="r",
            nodes=[Node(name="n", allocatable=Resources.parse({"cpu": 64}), max_pods=count)],
        )
        for index, count in enumerate(slots, start=1)
    ]
    return Fleet(clusters=clusters)


def _error(text: str) -> str:
    with pytest.raises(InvalidManifest) as raised:
        loads(text)
    return str(raised.value)


# The ACK One guide's manifests, as published ------------------------------------------------


def test_the_ack_one_policy_reads_as_is() -> None:
    assert _policy("karmada-ack-one-propagationpolicy.yaml") == PolicyObject(
        scope=PolicyScope.NAMESPACED,
        name="demo-policy",
        namespace="default",
        priority=0,
        selectors=[
            ResourceSelector(
                api_version="apps/v1", kind="Deployment", namespace="default", name="qwen3-8b"
            )
        ],
        policy=PlacementPolicy(
            cluster_names=["${cluster1-id}", "${cluster2-id}"],
            replica_scheduling=ReplicaSchedulingType.DIVIDED,
            weight_preference=WeightPreference.AVAILABLE_REPLICAS,
            ecs_provision=True,
        ),
    )


def test_the_ack_one_deployment_requests_the_gpu_of_its_limits() -> None:
    (qwen,) = _upstream("karmada-ack-one-deployment.yaml").workloads
    assert qwen == WorkloadObject(
        api_version="apps/v1",
        kind="Deployment",
        name="qwen3-8b",
        namespace="default",
        labels={"app": "qwen3-8b"},
        workload=Workload(name="qwen3-8b", replicas=4, request=Resources({"nvidia.com/gpu": 1000})),
    )


def test_the_ack_one_policy_selects_its_deployment_by_name() -> None:
    manifests = load_files(
        [
            UPSTREAM / "karmada-ack-one-deployment.yaml",
            UPSTREAM / "karmada-ack-one-propagationpolicy.yaml",
        ]
    )
    match = policy_for(manifests.workloads[0], manifests.policies)
    assert match == PolicyMatch(
        policy=manifests.policies[0],
        match=MatchPriority.NAME,
        reason="PropagationPolicy default/demo-policy selects it by name (priority 0)",
    )


# Karmada's samples and documented examples -------------------------------------------------


def test_the_nginx_sample_divides_by_equal_static_weights() -> None:
    policy = _policy("karmada-nginx-propagationpolicy.yaml")
    assert policy == PolicyObject(
        scope=PolicyScope.NAMESPACED,
        name="nginx-propagation",
        namespace="default",
        selectors=[NGINX_SELECTOR],
        policy=PlacementPolicy(
            cluster_names=["member1", "member2"],
            replica_scheduling=ReplicaSchedulingType.DIVIDED,
            weight_preference=WeightPreference.STATIC_WEIGHT,
            static_weights={"member1": 1, "member2": 1},
        ),
    )
    nginx = _nginx()
    assert nginx.workload == Workload(name="nginx", replicas=2, request=Resources())
    assert nginx.labels == {"app": "nginx"}
    assert policy_for(nginx, [policy]).policy == policy
    assert dict(place(nginx.workload, policy.policy, _members(10, 10)).per_cluster) == {
        "member1": 1,
        "member2": 1,
    }


def test_karmadas_weighted_example_gives_member2_twice_member1() -> None:
    # The documentation: "With 3 replicas: member1 gets 1 replica (weight 1), member2 gets 2
    # replicas (weight 2)". A cluster no weight lists gets none.
    policy = _policy("karmada-weighted-propagationpolicy.yaml")
    assert policy.policy == PlacementPolicy(
        replica_scheduling=ReplicaSchedulingType.DIVIDED,
        weight_preference=WeightPreference.STATIC_WEIGHT,
        static_weights={"member1": 1, "member2": 2},
    )
    result = place(_nginx(3).workload, policy.policy, _members(10, 10, 10))
    assert dict(result.per_cluster) == {"member1": 1, "member2": 2}
    assert dict(result.reasons) == {"member3": "not needed: the division gave it no replica"}


def test_karmadas_dynamic_weight_example_divides_by_available_replicas() -> None:
    # The documentation: A, B, C fit 6, 12 and 18 replicas; 12 replicas go 2, 4, 6.
    policy = _policy("karmada-dynamic-weight-propagationpolicy.yaml")
    assert policy.policy == PlacementPolicy(
        replica_scheduling=ReplicaSchedulingType.DIVIDED,
        weight_preference=WeightPreference.AVAILABLE_REPLICAS,
    )
    result = place(_nginx(12).workload, policy.policy, _members(6, 12, 18))
    assert dict(result.per_cluster) == {"member1": 2, "member2": 4, "member3": 6}


def test_karmadas_aggregated_example() -> None:
    policy = _policy("karmada-aggregated-propagationpolicy.yaml")
    assert policy.policy == PlacementPolicy(
        cluster_names=["member1", "member2"],
        replica_scheduling=ReplicaSchedulingType.DIVIDED,
        weight_preference=WeightPreference.AGGREGATED,
    )
    result = place(_nginx(3).workload, policy.policy, _members(2, 5))
    assert dict(result.per_cluster) == {"member2": 3}


def test_karmadas_duplicated_example_gives_every_cluster_every_replica() -> None:
    policy = _policy("karmada-duplicated-propagationpolicy.yaml")
    assert policy.policy == PlacementPolicy(
        cluster_names=["member1", "member2"], replica_scheduling=ReplicaSchedulingType.DUPLICATED
    )
    result = place(_nginx().workload, policy.policy, _members(5, 5))
    assert dict(result.per_cluster) == {"member1": 2, "member2": 2}


def test_karmadas_cluster_label_example_reads_match_labels() -> None:
    policy = _policy("karmada-cluster-labels-propagationpolicy.yaml")
    assert policy.policy.label_selector == {"location": "us"}
    assert policy.policy.replica_scheduling is ReplicaSchedulingType.DUPLICATED


def test_karmadas_explicit_priority_example_picks_the_higher_priority() -> None:
    # The documentation: "The nginx deployment will be propagated to member1".
    policies = _upstream("karmada-priority-explicit.yaml").policies
    match = policy_for(_nginx(), policies)
    assert match.policy is not None
    assert match.policy.name == "high-priority-policy"
    assert match.policy.policy.cluster_names == ("member1",)
    assert match.reason == (
        "PropagationPolicy default/high-priority-policy selects it by name (priority 10), "
        "over 1 other matching policy"
    )


def test_karmadas_implicit_priority_example_prefers_a_name_to_a_label() -> None:
    policies = _upstream("karmada-priority-implicit.yaml").policies
    match = policy_for(_nginx(), policies)
    assert match.policy is not None
    assert (match.policy.name, match.match) == ("name-match", MatchPriority.NAME)
    assert match.policy.policy.cluster_names == ("member1",)


def test_karmadas_spread_constraints_example_is_refused() -> None:
    with pytest.raises(InvalidManifest) as raised:
        _upstream("karmada-spread-constraints-propagationpolicy.yaml")
    assert str(raised.value) == (
        "document 0: spec.placement.spreadConstraints: not supported: spread constraints "
        "(how many clusters and regions are chosen)"
    )


def test_karmadas_set_based_cluster_selector_example_is_refused() -> None:
    with pytest.raises(InvalidManifest) as raised:
        _upstream("karmada-cluster-label-expressions-propagationpolicy.yaml")
    assert str(raised.value) == (
        "document 0: spec.placement.clusterAffinity.labelSelector.matchExpressions: "
        "not supported: label expressions on clusters (give matchLabels)"
    )


# Karmada's policy choice, case by case (pkg/detector/compare_test.go) -----------------------


def _deployment(namespace: str = "test", labels: dict[str, str] | None = None) -> WorkloadObject:
    return WorkloadObject(
        api_version="apps/v1",
        kind="Deployment",
        name="nginx",
        namespace=namespace,
        labels={"app": "nginx"} if labels is None else labels,
        workload=Workload(name="nginx", replicas=1, request=Resources()),
    )


def _pp(
    name: str,
    *,
    priority: int = 0,
    by_name: bool = True,
    namespace: str = "test",
    scope: PolicyScope = PolicyScope.NAMESPACED,
    selector_namespace: str = "test",
) -> PolicyObject:
    selector = ResourceSelector(
        api_version="apps/v1",
        kind="Deployment",
        namespace=selector_namespace,
        name="nginx" if by_name else "",
        label_selector=None if by_name else LabelSelector(match_labels={"app": "nginx"}),
    )
    return PolicyObject(
        scope=scope,
        name=name,
        namespace=namespace if scope is PolicyScope.NAMESPACED else "",
        priority=priority,
        selectors=[selector],
        policy=PlacementPolicy(),
    )


def _all(name: str) -> PolicyObject:
    return attrs.evolve(
        _pp(name), selectors=[ResourceSelector(api_version="apps/v1", kind="Deployment")]
    )


def _winner(workload: WorkloadObject, policies: list[PolicyObject]) -> str | None:
    match = policy_for(workload, policies)
    return None if match.policy is None else match.policy.name


def test_empty_policies() -> None:
    assert _winner(_deployment(), []) is None


def test_no_policy_match_for_resource() -> None:
    policies = [_pp("match-with-name"), _pp("match-with-label", by_name=False)]
    # The policies live in namespace test; the Deployment is in test01.
    match = policy_for(_deployment("test01"), policies)
    assert match == PolicyMatch(
        policy=None,
        match=None,
        reason="no PropagationPolicy in namespace test01 nor ClusterPropagationPolicy selects it",
    )


def test_different_implicit_priority_policy() -> None:
    policies = [_pp("match-with-name"), _pp("match-with-label", by_name=False), _all("match-all")]
    assert _winner(_deployment(), policies) == "match-with-name"


def test_same_implicit_priority_policy() -> None:
    assert _winner(_deployment(), [_pp("a-pp"), _pp("b-pp")]) == "a-pp"
    assert _winner(_deployment(), [_pp("b-pp"), _pp("a-pp")]) == "a-pp"


def test_one_policy_with_implicit_priority_one_with_explicit_priority_1() -> None:
    assert _winner(_deployment(), [_pp("a-pp"), _pp("b-pp", priority=1)]) == "b-pp"


def test_explicit_priority_2_by_label_beats_explicit_priority_1_by_name() -> None:
    policies = [_pp("a-pp", priority=1), _pp("b-pp", priority=2, by_name=False)]
    match = policy_for(_deployment(), policies)
    assert match.policy == policies[1]
    assert match.match is MatchPriority.LABEL_SELECTOR


def test_two_policies_with_explicit_priority_1_select_the_lower_alphabetical_order() -> None:
    assert _winner(_deployment(), [_pp("a-pp", priority=1), _pp("b-pp", priority=1)]) == "a-pp"


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [("A", "B", "A"), ("abc", "ab", "ab"), ("b", "a", "a")],
    ids=["same length of name", "different length of name", "reversed"],
)
def test_get_higher_priority_propagation_policy(first: str, second: str, expected: str) -> None:
    assert _winner(_deployment(), [_pp(first), _pp(second)]) == expected


# Policy choice beyond the upstream unit tests ------------------------------------------------


def test_a_propagation_policy_beats_a_cluster_policy_of_higher_priority() -> None:
    # Karmada looks for a PropagationPolicy first, and for a ClusterPropagationPolicy only
    # when none matches (detector.propagateResource).
    cluster = _pp("cluster-wide", priority=100, scope=PolicyScope.CLUSTER, selector_namespace="")
    assert _winner(_deployment(), [cluster, _all("local")]) == "local"
    assert _winner(_deployment(), [cluster]) == "cluster-wide"


def test_a_cluster_policy_selects_any_namespace_unless_its_selector_names_one() -> None:
    anywhere = _pp("anywhere", scope=PolicyScope.CLUSTER, selector_namespace="")
    only_test = _pp("only-test", scope=PolicyScope.CLUSTER, selector_namespace="test")
    assert _winner(_deployment("prod"), [anywhere, only_test]) == "anywhere"
    assert _winner(_deployment("prod"), [only_test]) is None
    assert policy_for(_deployment("prod"), [anywhere]).reason == (
        "ClusterPropagationPolicy anywhere selects it by name (priority 0)"
    )


def test_a_propagation_policy_selects_only_its_own_namespace() -> None:
    elsewhere = _pp("elsewhere", namespace="other", selector_namespace="")
    assert _winner(_deployment(), [elsewhere]) is None


def test_reserved_namespaces_are_never_propagated() -> None:
    cluster = _pp("all", scope=PolicyScope.CLUSTER, selector_namespace="")
    for namespace in ("kube-system", "karmada-system", "karmada-cluster", "karmada-es-m1"):
        match = policy_for(_deployment(namespace), [cluster])
        assert match.reason == (
            f"namespace {namespace} is reserved: Karmada propagates nothing from it"
        )
    assert _winner(_deployment("karmada"), [cluster]) == "all"


def test_an_empty_label_selector_matches_by_label_selector() -> None:
    # A present but empty labelSelector is a non-nil selector matching everything, which
    # ranks above a bare apiVersion/kind selector.
    text = """
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {name: z-empty-selector}
spec:
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, labelSelector: {}}]
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {name: a-kind-only}
spec:
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, labelSelector: null}]
"""
    policies = loads(text).policies
    assert policies[0].selectors[0].label_selector == LabelSelector()
    assert policies[1].selectors[0].label_selector is None
    match = policy_for(_deployment("default"), policies)
    assert match.policy == policies[0]
    assert match.match is MatchPriority.LABEL_SELECTOR


def test_api_version_must_be_equal_not_just_the_group() -> None:
    policy = attrs.evolve(
        _pp("old"),
        selectors=[ResourceSelector(api_version="apps/v1beta1", kind="Deployment")],
    )
    assert _winner(_deployment(), [policy]) is None


@pytest.mark.parametrize(
    ("operator", "values", "labels", "expected"),
    [
        (SelectorOperator.IN, ("nginx", "web"), {"app": "web"}, True),
        (SelectorOperator.IN, ("nginx",), {}, False),
        (SelectorOperator.NOT_IN, ("nginx",), {}, True),
        (SelectorOperator.NOT_IN, ("nginx",), {"app": "nginx"}, False),
        (SelectorOperator.EXISTS, (), {"app": ""}, True),
        (SelectorOperator.DOES_NOT_EXIST, (), {"app": "x"}, False),
    ],
)
def test_label_expressions_follow_kubernetes(
    operator: SelectorOperator, values: tuple[str, ...], labels: dict[str, str], expected: bool
) -> None:
    requirement = LabelRequirement(key="app", operator=operator, values=values)
    assert requirement.matches(labels) is expected


def test_label_expressions_are_read_for_workload_selectors() -> None:
    text = """
apiVersion: policy.karmada.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: gpu, namespace: ignored}
spec:
  resourceSelectors:
  - apiVersion: apps/v1
    kind: StatefulSet
    labelSelector:
      matchLabels: {tier: inference}
      matchExpressions:
      - {key: model, operator: NotIn, values: [tiny]}
  placement:
    replicaScheduling: {replicaSchedulingType: Divided}
"""
    (policy,) = loads(text).policies
    assert policy.namespace == ""
    assert policy.selectors == (
        ResourceSelector(
            api_version="apps/v1",
            kind="StatefulSet",
            label_selector=LabelSelector(
                match_labels={"tier": "inference"},
                match_expressions=[
                    LabelRequirement(key="model", operator=SelectorOperator.NOT_IN, values=["tiny"])
                ],
            ),
        ),
    )
    statefulset = attrs.evolve(_deployment(labels={"tier": "inference"}), kind="StatefulSet")
    assert policy_for(statefulset, [policy]).match is MatchPriority.LABEL_SELECTOR
    tiny = attrs.evolve(statefulset, labels={"tier": "inference", "model": "tiny"})
    assert policy_for(tiny, [policy]).policy is None


def test_of_two_policies_with_one_name_the_later_counts() -> None:
    # Applying a stream that holds an object twice leaves the later one in place.
    first, second = _pp("same", priority=5), _pp("same", by_name=False)
    match = policy_for(_deployment(), [first, second])
    assert (match.policy, match.match) == (second, MatchPriority.LABEL_SELECTOR)
    assert match.reason == "PropagationPolicy test/same selects it by label selector (priority 0)"


def test_policy_for_refuses_what_is_not_a_policy() -> None:
    with pytest.raises(InvalidRequest) as raised:
        policy_for(_deployment(), [_nginx()])  # type: ignore[list-item]
    assert str(raised.value) == "policies[0]: expected a PolicyObject, got WorkloadObject"
    with pytest.raises(InvalidRequest) as raised:
        policy_for("nginx", [])  # type: ignore[arg-type]
    assert str(raised.value) == "workload: expected a WorkloadObject, got str"


# Karmada's defaults --------------------------------------------------------------------------


def _placement_of(placement: str, spec_extra: str = "") -> PlacementPolicy:
    text = (
        "apiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\n"
        "metadata: {name: p}\nspec:\n"
        "  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment}]\n"
        f"{spec_extra}  placement:\n{placement}"
    )
    (policy,) = loads(text).policies
    return policy.policy


def test_without_replica_scheduling_every_cluster_gets_every_replica() -> None:
    # Placement.ReplicaSchedulingType(): nil means Duplicated.
    assert _placement_of("    {}\n").replica_scheduling is ReplicaSchedulingType.DUPLICATED
    assert (
        _placement_of("    replicaScheduling: null\n").replica_scheduling
        is ReplicaSchedulingType.DUPLICATED
    )


def test_an_empty_replica_scheduling_divides_by_equal_weights() -> None:
    # The CRD defaults the type to Divided; the webhook the preference to Weighted; no
    # weightPreference weights every cluster the same.
    assert _placement_of("    replicaScheduling: {}\n") == PlacementPolicy(
        replica_scheduling=ReplicaSchedulingType.DIVIDED,
        weight_preference=WeightPreference.STATIC_WEIGHT,
    )


def test_a_dynamic_weight_wins_over_a_static_list() -> None:
    placement = """    replicaScheduling:
      replicaSchedulingType: Divided
      weightPreference:
        dynamicWeight: AvailableReplicas
        staticWeightList:
        - {targetCluster: {clusterNames: [a]}, weight: 3}
"""
    assert _placement_of(placement).weight_preference is WeightPreference.AVAILABLE_REPLICAS


def test_static_weights_take_each_clusters_highest_entry_minus_excluded() -> None:
    placement = """    replicaScheduling:
      replicaDivisionPreference: Weighted
      weightPreference:
        staticWeightList:
        - {targetCluster: {clusterNames: [a, b, c], exclude: [c]}, weight: 1}
        - {targetCluster: {clusterNames: [b]}, weight: 4}
        - {targetCluster: {clusterNames: [a]}, weight: 2}
"""
    assert dict(_placement_of(placement).static_weights) == {"a": 2, "b": 4}


def test_aggregated_and_duplicated_read_past_their_weights() -> None:
    weights = """      weightPreference:
        staticWeightList: [{targetCluster: {clusterNames: [a]}, weight: 3}]
"""
    aggregated = _placement_of(
        "    replicaScheduling:\n      replicaDivisionPreference: Aggregated\n" + weights
    )
    assert aggregated == PlacementPolicy(
        replica_scheduling=ReplicaSchedulingType.DIVIDED,
        weight_preference=WeightPreference.AGGREGATED,
    )
    duplicated = _placement_of(
        "    replicaScheduling:\n      replicaSchedulingType: Duplicated\n" + weights
    )
    assert duplicated == PlacementPolicy(replica_scheduling=ReplicaSchedulingType.DUPLICATED)


def test_cluster_affinity_reads_names_exclusions_and_labels() -> None:
    placement = """    clusterAffinity:
      clusterNames: [a, b]
      exclude: [b]
      labelSelector: {matchLabels: {gpu: a10}, matchExpressions: []}
      fieldSelector: {matchExpressions: []}
"""
    assert _placement_of(placement) == PlacementPolicy(
        cluster_names=["a", "b"],
        exclude=["b"],
        label_selector={"gpu": "a10"},
        replica_scheduling=ReplicaSchedulingType.DUPLICATED,
    )


def test_fields_that_decide_nothing_here_are_read_past() -> None:
    spec = """  propagateDeps: true
  preemption: Always
  conflictResolution: Abort
  schedulerName: default-scheduler
  failover: {application: {decisionConditions: {tolerationSeconds: 30}}}
  suspension: {dispatching: false}
  priority: -5
"""
    placement = """    clusterTolerations:
    - {key: cluster.karmada.io/not-ready, operator: Exists, effect: NoExecute}
    spreadConstraints: []
    clusterAffinities: []
"""
    assert _placement_of(placement, spec) == PlacementPolicy(
        replica_scheduling=ReplicaSchedulingType.DUPLICATED
    )


def test_a_policy_as_kubectl_prints_it_loads() -> None:
    text = """
apiVersion: v1
kind: List
items:
- apiVersion: policy.karmada.io/v1alpha1
  kind: PropagationPolicy
  metadata:
    name: nginx-propagation
    namespace: web
    uid: 8a7c0d35-26b2-4b0e-9a55-3c63f5c2a0b1
    labels: {propagationpolicy.karmada.io/permanent-id: 5e1e6f32-2c39-4c59-8c4b-0f3bd7d9a0c2}
    finalizers: [karmada.io/propagation-policy-controller]
    managedFields: [{manager: kubectl, operation: Update}]
  spec:
    conflictResolution: Abort
    preemption: Never
    priority: 0
    resourceSelectors:
    - {apiVersion: apps/v1, kind: Deployment, name: nginx, namespace: web}
    placement:
      clusterAffinity: {clusterNames: [member1]}
      clusterTolerations:
      - {effect: NoExecute, key: cluster.karmada.io/not-ready, operator: Exists,
         tolerationSeconds: 300}
      replicaScheduling:
        replicaDivisionPreference: Weighted
        replicaSchedulingType: Divided
"""
    (policy,) = loads(text).policies
    assert policy.key == "PropagationPolicy web/nginx-propagation"
    assert policy.policy == PlacementPolicy(
        cluster_names=["member1"],
        replica_scheduling=ReplicaSchedulingType.DIVIDED,
        weight_preference=WeightPreference.STATIC_WEIGHT,
    )


# Deployments and StatefulSets -----------------------------------------------------------------


def test_a_statefulset_as_kubectl_prints_it_keeps_its_uid() -> None:
    text = """
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: data
  uid: 4858ca61-3ff8-4095-8267-f3d059d8074c
  labels: {app: db}
  managedFields: [{manager: kube-controller-manager}]
spec:
  serviceName: db
  template:
    spec:
      initContainers:
      - name: init
        resources: {requests: {cpu: "2"}}
      containers:
      - name: db
        image: postgres
        resources:
          requests: {cpu: 500m, memory: 1Gi}
          limits: {cpu: "1", memory: 1Gi, nvidia.com/gpu: "1"}
      overhead: {cpu: 100m}
  volumeClaimTemplates: [{metadata: {name: data}}]
status: {replicas: 1, readyReplicas: 1}
"""
    (db,) = loads(text).workloads
    assert db == WorkloadObject(
        api_version="apps/v1",
        kind="StatefulSet",
        name="db",
        namespace="data",
        labels={"app": "db"},
        workload=Workload(
            name="db",
            replicas=1,
            request=Resources.parse({"cpu": "2100m", "memory": "1Gi", "nvidia.com/gpu": 1}),
            uid="4858ca61-3ff8-4095-8267-f3d059d8074c",
        ),
    )


def test_replicas_zero_is_a_deletion_and_an_absent_api_version_reads_as_apps_v1() -> None:
    text = (
        "kind: Deployment\nmetadata: {name: gone}\n"
        "spec: {replicas: 0, template: {spec: {containers: [{name: c}]}}}\n"
    )
    (gone,) = loads(text).workloads
    assert (gone.api_version, gone.workload.replicas) == ("apps/v1", 0)


# Errors ----------------------------------------------------------------------------------------

POLICY_HEAD: Final = (
    "apiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\nmetadata: {name: p}\n"
)
SELECTORS: Final = "  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment}]\n"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            SELECTORS + "  replicas: 3\n",
            "spec.replicas: unknown field (expected one of activationPreference, association, "
            "autoScaling, conflictResolution, dependentOverrides, failover, placement, "
            "preemption, preserveResourcesOnDeletion, priority, propagateDeps, "
            "resourceSelectors, schedulePriority, schedulerName, suspension)",
        ),
        (
            "  resourceSelectors: []\n",
            "spec.resourceSelectors: needs at least one selector (Karmada refuses an empty list)",
        ),
        ("  priority: 1\n", "spec.resourceSelectors: required field is missing"),
        (
            SELECTORS + "  priority: 2147483648\n",
            "spec.priority: must be at most 2147483647, got 2147483648",
        ),
        (
            SELECTORS + "  autoScaling: {ecsProvision: 'true'}\n",
            "spec.autoScaling.ecsProvision: expected true or false, got str 'true'",
        ),
        (
            SELECTORS + "  autoScaling: {ecsProvision: true, maxNodes: 3}\n",
            "spec.autoScaling.maxNodes: unknown field (expected one of ecsProvision)",
        ),
        (
            "  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, names: [a]}]\n",
            "spec.resourceSelectors[0].names: unknown field (expected one of apiVersion, kind, "
            "labelSelector, name, namespace)",
        ),
        (
            "  resourceSelectors: [{kind: Deployment}]\n",
            "spec.resourceSelectors[0].apiVersion: required field is missing",
        ),
        (
            "  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, labelSelector: "
            "{matchExpressions: [{key: app, operator: In}]}}]\n",
            "spec.resourceSelectors[0].labelSelector.matchExpressions[0].values: operator In "
            "needs at least one value",
        ),
        (
            "  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, labelSelector: "
            "{matchExpressions: [{key: app, operator: Gt, values: ['1']}]}}]\n",
            "spec.resourceSelectors[0].labelSelector.matchExpressions[0].operator: expected "
            "one of In, NotIn, Exists, DoesNotExist, got 'Gt'",
        ),
        (
            SELECTORS + "  placement: {replicaScheduling: {replicaSchedulingType: Split}}\n",
            "spec.placement.replicaScheduling.replicaSchedulingType: expected one of "
            "Duplicated, Divided, got 'Split'",
        ),
        (
            SELECTORS
            + "  placement: {replicaScheduling: {replicaDivisionPreference: CostOptimized}}\n",
            "spec.placement.replicaScheduling.replicaDivisionPreference: expected one of "
            "Aggregated, Weighted, got 'CostOptimized'",
        ),
        (
            SELECTORS
            + "  placement: {replicaScheduling: {weightPreference: {dynamicWeight: Cost}}}\n",
            "spec.placement.replicaScheduling.weightPreference.dynamicWeight: expected one "
            "of AvailableReplicas, got 'Cost'",
        ),
        (
            SELECTORS + "  placement: {replicaScheduling: {weightPreference: {staticWeightList:"
            " [{targetCluster: {clusterNames: [a]}, weight: 0}]}}}\n",
            "spec.placement.replicaScheduling.weightPreference.staticWeightList[0].weight: "
            "must be at least 1, got 0",
        ),
        (
            SELECTORS + "  placement: {replicaScheduling: {weightPreference: {staticWeightList:"
            " [{targetCluster: {labelSelector: {matchLabels: {a: b}}}, weight: 1}]}}}\n",
            "spec.placement.replicaScheduling.weightPreference.staticWeightList[0]."
            "targetCluster.labelSelector: not supported: a weight target chosen by cluster "
            "labels",
        ),
        (
            SELECTORS + "  placement: {replicaScheduling: {weightPreference: {staticWeightList:"
            " [{targetCluster: {exclude: [a]}, weight: 1}]}}}\n",
            "spec.placement.replicaScheduling.weightPreference.staticWeightList[0]."
            "targetCluster.clusterNames: not supported: a weight target without clusterNames "
            "(it matches every cluster)",
        ),
        (
            SELECTORS + "  placement: {clusterAffinity: {fieldSelector: {matchExpressions: "
            "[{key: region, operator: In, values: [r1]}]}}}\n",
            "spec.placement.clusterAffinity.fieldSelector: not supported: selecting clusters "
            "by provider, region or zone",
        ),
        (
            SELECTORS + "  placement: {clusterAffinities: [{affinityName: a, clusterNames: "
            "[m1]}]}\n",
            "spec.placement.clusterAffinities: not supported: ordered cluster groups "
            "(clusterAffinities); give one clusterAffinity",
        ),
        (
            SELECTORS + "  placement: {workloadAffinity: {affinity: {groupByLabelKey: g}}}\n",
            "spec.placement.workloadAffinity: not supported: workload affinity (placement "
            "tied to other workloads)",
        ),
        (
            SELECTORS + "  placement: {clusterAffinity: {clusterNames: [a, '']}}\n",
            "spec.placement.clusterAffinity.clusterNames[1]: expected a non-empty string, got ''",
        ),
    ],
)
def test_a_bad_policy_names_its_field(spec: str, message: str) -> None:
    assert _error(POLICY_HEAD + "spec:\n" + spec) == f"document 0: {message}"


def test_a_policy_without_spec_or_name_is_refused() -> None:
    assert _error(POLICY_HEAD) == "document 0: spec: required field is missing"
    assert _error(
        "apiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\nspec: {}\n"
    ) == ("document 0: metadata.name: expected a non-empty string, got None")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "{replicas: -1, template: {spec: {containers: [{name: c}]}}}",
            "spec.replicas: must be at least 0, got -1",
        ),
        (
            "{replicas: '4', template: {spec: {containers: [{name: c}]}}}",
            "spec.replicas: expected an integer, got str '4'",
        ),
        (
            "{replicas: 2147483648, template: {spec: {containers: [{name: c}]}}}",
            "spec.replicas: must be at most 2147483647, got 2147483648",
        ),
        ("{replicas: 2}", "spec.template: required field is missing"),
        (
            "{template: {spec: {containers: [{name: c, resources: {limits: "
            "{nvidia.com/gpu: '-1'}}}]}}}",
            "spec.template.spec.containers[0].resources.limits.nvidia.com/gpu: must not be "
            "negative, got -1",
        ),
        (
            "{template: {spec: {containers: [{name: c, resources: {requests: {cpu: 1x}}}]}}}",
            "spec.template.spec.containers[0].resources.requests.cpu: invalid quantity '1x': "
            "unexpected character 'x' at position 1",
        ),
    ],
)
def test_a_bad_deployment_names_its_field(spec: str, message: str) -> None:
    text = f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec: {spec}\n"
    assert _error(text) == f"document 0: {message}"


# The example directory: the numbers its README states -----------------------------------------


def _example(*names: str) -> Manifests:
    return load_files([EXAMPLES / name for name in names])


def _story(deployment: str, fleet: str) -> tuple[WorkloadObject, PlacementPolicy, Manifests]:
    manifests = _example("policy.yaml", deployment, fleet)
    (qwen,) = manifests.workloads
    match = policy_for(qwen, manifests.policies)
    assert match.reason == "PropagationPolicy default/demo-policy selects it by name (priority 0)"
    assert match.policy is not None
    return qwen, match.policy.policy, manifests


def _a10(cluster: str, nodes: int) -> NodeProvision:
    return NodeProvision(
        cluster=cluster,
        pool="gpu-a10",
        instance_type=A10,
        nodes=nodes,
        replicas=nodes,
        hourly_cost=Decimal("9.74") * nodes,
    )


def test_the_example_policy_is_the_guides_with_cluster_names() -> None:
    (example,) = _example("policy.yaml").policies
    guide = _policy("karmada-ack-one-propagationpolicy.yaml")
    names = attrs.evolve(guide.policy, cluster_names=["cluster1", "cluster2"])
    assert example == attrs.evolve(guide, policy=names)
    (deployment,) = _example("deployment.yaml").workloads
    assert deployment == _upstream("karmada-ack-one-deployment.yaml").workloads[0]


def test_the_example_buys_nodes_where_the_stock_is() -> None:
    qwen, policy, manifests = _story("deployment.yaml", "fleet.yaml")
    assert manifests.fleet is not None
    result = place(qwen.workload, policy, manifests.fleet.fleet)
    assert dict(result.per_cluster) == {"cluster1": 1, "cluster2": 3}
    assert result.provisioning == (_a10("cluster1", 1), _a10("cluster2", 3))
    assert result.hourly_cost == Decimal("38.96")
    assert (result.scale_in, result.unplaced, dict(result.reasons)) == ((), 0, {})


def test_the_example_with_stock_in_both_regions_splits_two_and_two() -> None:
    qwen, policy, manifests = _story("deployment.yaml", "fleet.yaml")
    assert manifests.fleet is not None
    fleet = manifests.fleet.fleet
    stocked = attrs.evolve(fleet, inventory={"cn-beijing": {A10: 2}, "cn-hangzhou": {A10: 6}})
    result = place(qwen.workload, policy, stocked)
    assert dict(result.per_cluster) == {"cluster1": 2, "cluster2": 2}
    assert result.provisioning == (_a10("cluster1", 2), _a10("cluster2", 2))


def test_the_example_without_ecs_provision_stops_where_karmada_does() -> None:
    qwen, policy, manifests = _story("deployment.yaml", "fleet.yaml")
    assert manifests.fleet is not None
    with pytest.raises(InsufficientReplicas) as raised:
        place(qwen.workload, attrs.evolve(policy, ecs_provision=False), manifests.fleet.fleet)
    assert str(raised.value) == "Clusters available replicas 0 are not enough to schedule."


def _released(nodes: int) -> NodeRelease:
    return NodeRelease(
        cluster="cluster2",
        pool="gpu-a10",
        instance_type=A10,
        nodes=nodes,
        hourly_savings=Decimal("9.74") * nodes,
    )


def test_the_example_scale_down_releases_two_hangzhou_nodes() -> None:
    qwen, policy, manifests = _story("scale-down/deployment.yaml", "scale-down/fleet.yaml")
    fleet = manifests.fleet
    assert fleet is not None
    assert qwen.workload.replicas == 2
    result = place(qwen.workload, policy, fleet.fleet, current=fleet.current(qwen.name))
    assert dict(result.per_cluster) == {"cluster1": 1, "cluster2": 1}
    assert result.provisioning == ()
    assert result.scale_in == (_released(2),)
    assert result.scale_in[0].hourly_savings == Decimal("19.48")


def test_the_example_deletion_releases_every_gpu_node() -> None:
    qwen, policy, manifests = _story("scale-down/deployment.yaml", "scale-down/fleet.yaml")
    fleet = manifests.fleet
    assert fleet is not None
    deleted = attrs.evolve(qwen.workload, replicas=0)
    result = place(deleted, policy, fleet.fleet, current=fleet.current(qwen.name))
    assert dict(result.per_cluster) == {}
    assert sum(item.nodes for item in result.scale_in) == 4
    assert sum(item.hourly_savings for item in result.scale_in) == Decimal("38.96")


def test_the_running_example_at_four_replicas_changes_nothing() -> None:
    qwen, policy, manifests = _story("deployment.yaml", "scale-down/fleet.yaml")
    fleet = manifests.fleet
    assert fleet is not None
    result = place(qwen.workload, policy, fleet.fleet, current=fleet.current(qwen.name))
    assert dict(result.per_cluster) == {"cluster1": 1, "cluster2": 3}
    assert (result.provisioning, result.scale_in) == ((), ())


# Mangled inputs: a typed error naming a field, or a correct load ------------------------------

#: Values put where a field was: every YAML type, out-of-range numbers, odd text.
JUNK: Final = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.just(10**99),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(["東京", "\u200b", "-1", "1e3", "${x}", "", "Infinity", "NaN", "0.5"]),
    st.lists(st.integers(min_value=0, max_value=3), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def _paths(node: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every position in a parsed document, the document itself first."""
    paths = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            paths.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            paths.extend(_paths(value, (*prefix, index)))
    return paths


def _parent(documents: list[Any], path: tuple[object, ...]) -> Any:
    node: Any = documents
    for step in path[:-1]:
        node = node[step]
    return node


@st.composite
def mangled(draw: st.DrawFn, files: tuple[Path, ...]) -> str:
    """The files as one stream, with one key deleted, one value replaced, one key added or
    one document repeated."""
    text = "\n---\n".join(path.read_text(encoding="utf-8") for path in files)
    documents: list[Any] = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    action = draw(st.sampled_from(["delete", "replace", "insert", "duplicate"]))
    if action == "duplicate":
        documents.append(documents[draw(st.integers(0, len(documents) - 1))])
    else:
        index = draw(st.integers(0, len(documents) - 1))
        paths = [(index, *path) for path in _paths(documents[index])]
        path = draw(st.sampled_from(paths if action == "replace" else paths[1:] or paths))
        parent = _parent(documents, path)
        if action == "replace":
            parent[path[-1]] = draw(JUNK)
        elif action == "delete" and len(path) > 1:
            del parent[path[-1]]
        elif isinstance(parent[path[-1]], dict):
            parent[path[-1]][draw(st.text(min_size=1, max_size=8))] = draw(JUNK)
    return yaml.safe_dump_all(documents, allow_unicode=True)


def assert_loads_or_names_a_field(text: str) -> None:
    """A mangled stream loads, or fails with an ``InvalidManifest`` (nothing else)."""
    refused: InvalidManifest | None = None
    try:
        loads(text)
    except InvalidManifest as error:
        refused = error
    if refused is not None:
        assert refused.document is not None, str(refused)


PLACEMENT_FILES: Final = (
    (EXAMPLES / "policy.yaml", EXAMPLES / "deployment.yaml"),
    (EXAMPLES / "scale-down" / "deployment.yaml",),
    *(
        (path,)
        for path in sorted(UPSTREAM.glob("karmada-*.yaml"))
        if "spread" not in path.name and "expressions" not in path.name
    ),
)


def test_the_mangled_files_load_before_mangling() -> None:
    for files in PLACEMENT_FILES:
        loads("\n---\n".join(path.read_text(encoding="utf-8") for path in files))


@given(data=st.data())
def test_mangled_placement_files_give_a_typed_error_or_load(data: st.DataObject) -> None:
    files = data.draw(st.sampled_from(PLACEMENT_FILES))
    assert_loads_or_names_a_field(data.draw(mangled(files)))
