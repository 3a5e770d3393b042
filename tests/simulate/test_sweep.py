"""Parameter sweeps: the grid's keys and values, the points' order and scenarios, the results.

Every point's result must equal a plain :func:`simulate` of the point's scenario: a sweep is
only a way to run many simulations, never a second copy of them.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from invsched.admission import QueuePolicy, Reclaim
from invsched.errors import InvalidRequest
from invsched.quota import QuotaNode, QuotaTree
from invsched.resources import Resources
from invsched.simulate import (
    GridKey,
    GridSetting,
    Job,
    JobState,
    Restart,
    Scenario,
    SweepEngine,
    sweep,
)
from invsched.simulate.engine import simulate

GPU = "nvidia.com/gpu"


def gpus(count: int | str, cpu: int = 0) -> Resources:
    amounts: dict[str, int | str] = {GPU: count}
    if cpu:
        amounts["cpu"] = cpu
    return Resources.parse(amounts)


#: Two teams share 8 GPUs; ``research`` borrows what ``inference`` leaves idle.
TREE = QuotaTree.from_nodes(
    [
        QuotaNode(name="root", min=gpus(8, 64), max=gpus(8, 64), children=("training", "serving")),
        QuotaNode(
            name="training",
            parent="root",
            min=gpus(4, 32),
            max=gpus(8, 64),
            namespaces=("research",),
        ),
        QuotaNode(
            name="serving",
            parent="root",
            min=gpus(4, 32),
            max=gpus(6, 48),
            namespaces=("inference",),
        ),
    ]
)
BASE = Scenario(tree=TREE, total=gpus(8, 64))
JOBS = (
    Job(name="pretrain", namespace="research", request=gpus(6, 8), submit=0, duration=3600),
    Job(name="finetune", namespace="research", request=gpus(2, 8), submit=60, duration=1800),
    Job(
        name="chat",
        namespace="inference",
        request=gpus(4, 8),
        submit=300,
        duration=1200,
        preemptible=False,
        priority=1000,
    ),
    Job(name="ablation", namespace="research", request=gpus(2, 4), submit=600, duration=600),
)


def _tree_with(name: str, **changes: Any) -> QuotaTree:
    return QuotaTree(
        nodes=[attrs.evolve(node, **changes) if node.name == name else node for node in TREE]
    )


# Keys ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "setting", "quota", "resource"),
    [
        ("policy", GridSetting.POLICY, None, None),
        ("reclaim", GridSetting.RECLAIM, None, None),
        ("restart", GridSetting.RESTART, None, None),
        ("interval", GridSetting.INTERVAL, None, None),
        ("oversell", GridSetting.OVERSELL, None, None),
        ("total.nvidia.com/gpu", GridSetting.TOTAL, None, GPU),
        ("capacity.nvidia.com/gpu", GridSetting.CAPACITY, None, GPU),
        ("min.training.nvidia.com/gpu", GridSetting.MIN, "training", GPU),
        ("max.serving.cpu", GridSetting.MAX, "serving", "cpu"),
        ("min[training].nvidia.com/gpu", GridSetting.MIN, "training", GPU),
        ("max[root].example.com/fpga", GridSetting.MAX, "root", "example.com/fpga"),
    ],
)
def test_keys_name_a_setting_a_quota_and_a_resource(
    text: str, setting: GridSetting, quota: str | None, resource: str | None
) -> None:
    assert GridKey.parse(text, TREE) == GridKey(
        text=text, setting=setting, quota=quota, resource=resource
    )


DOTTED = QuotaTree.from_nodes(
    [
        QuotaNode(name="root", children=("a", "a.b", "team.gpu")),
        QuotaNode(name="a", parent="root", namespaces=("a",)),
        QuotaNode(name="a.b", parent="root", namespaces=("ab",)),
        QuotaNode(name="team.gpu", parent="root", namespaces=("team",)),
    ]
)


def test_a_quota_name_with_dots_is_read_against_the_tree() -> None:
    key = GridKey.parse("min.team.gpu.nvidia.com/gpu", DOTTED)
    assert (key.quota, key.resource) == ("team.gpu", GPU)
    assert GridKey.parse("min.a.cpu", DOTTED).quota == "a"


def test_an_ambiguous_key_is_refused_and_the_bracket_form_settles_it() -> None:
    with pytest.raises(InvalidRequest) as error:
        GridKey.parse("min.a.b.c/x", DOTTED)
    assert str(error.value) == (
        "grid: key 'min.a.b.c/x' is ambiguous: quotas 'a', 'a.b' all match; "
        "write min[<quota>].<resource>"
    )
    assert GridKey.parse("min[a.b].c/x", DOTTED).resource == "c/x"
    assert GridKey.parse("min[a].b.c/x", DOTTED).resource == "b.c/x"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "polcy",
            "grid: unknown key 'polcy'; expected policy, reclaim, restart, interval, oversell, "
            "total.<resource>, capacity.<resource>, min.<quota>.<resource> or "
            "max.<quota>.<resource>",
        ),
        (
            "policy.x",
            "grid: unknown key 'policy.x'; expected policy, reclaim, restart, interval, "
            "oversell, total.<resource>, capacity.<resource>, min.<quota>.<resource> or "
            "max.<quota>.<resource>",
        ),
        ("total.", "grid: key 'total.' names no resource"),
        ("total", "grid: key 'total' names no resource"),
        (
            "min.nobody.cpu",
            "grid: key 'min.nobody.cpu': no quota of the tree followed by a resource",
        ),
        ("min.training", "grid: key 'min.training': no quota of the tree followed by a resource"),
        ("max[nobody].cpu", "grid: key 'max[nobody].cpu': no quota named 'nobody'"),
        ("max[training.cpu", "grid: key 'max[training.cpu': expected max[<quota>].<resource>"),
        ("min[training]", "grid: key 'min[training]': expected min[<quota>].<resource>"),
        ("min[training].", "grid: key 'min[training].' names no resource"),
    ],
)
def test_a_bad_key_is_refused_naming_it(text: str, message: str) -> None:
    with pytest.raises(InvalidRequest) as error:
        GridKey.parse(text, TREE)
    assert str(error.value) == message


def test_a_key_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(InvalidRequest) as error:
        sweep(BASE, JOBS, {3: [1]})
    assert str(error.value) == "grid: a key must be a string, got int 3"


# Values --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "given", "read"),
    [
        ("policy", "block", QueuePolicy.BLOCK),
        ("policy", "Priority", QueuePolicy.PRIORITY),
        ("policy", QueuePolicy.BLOCK, QueuePolicy.BLOCK),
        ("reclaim", "within-min", Reclaim.WITHIN_MIN),
        ("reclaim", "WITHIN_MIN", Reclaim.WITHIN_MIN),
        ("reclaim", "WithinMin", Reclaim.WITHIN_MIN),
        ("reclaim", "none", Reclaim.NONE),
        ("restart", "resume", Restart.RESUME),
        ("restart", "from-scratch", Restart.FROM_SCRATCH),
        ("interval", 30, 30),
        ("interval", "30", 30),
        ("interval", "0.5", 0.5),
        ("interval", 2.5, 2.5),
        ("oversell", 2, 2),
        ("oversell", "3", 3),
        ("total.nvidia.com/gpu", 16, 16000),
        ("total.nvidia.com/gpu", "16", 16000),
        ("total.nvidia.com/gpu", "500m", 500),
        ("max.serving.memory", "64Gi", 64 * 2**30 * 1000),
    ],
)
def test_values_are_read_as_a_manifest_writes_them(key: str, given: object, read: object) -> None:
    value = GridKey.parse(key, TREE).read(given)
    assert value == read
    assert type(value) is type(read)


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        (
            {"policy": ["fast"]},
            "grid['policy']: unknown value 'fast'; expected one of Priority, Block",
        ),
        (
            {"reclaim": [1]},
            "grid['reclaim']: unknown value 1; expected one of ToRuntime, WithinMin, None",
        ),
        ({"interval": ["-1"]}, "grid['interval']: must be between 0 and 10^18 seconds, got '-1'"),
        (
            {"interval": [float("nan")]},
            "grid['interval']: must be between 0 and 10^18 seconds, got nan",
        ),
        ({"interval": ["soon"]}, "grid['interval']: expected seconds (a number), got 'soon'"),
        ({"interval": [True]}, "grid['interval']: expected seconds (a number), got bool True"),
        ({"oversell": [0]}, "grid['oversell']: expected an int ≥ 1, got int 0"),
        ({"oversell": [1.5]}, "grid['oversell']: expected an int ≥ 1, got float 1.5"),
        (
            {"total.nvidia.com/gpu": ["1x"]},
            "grid['total.nvidia.com/gpu']: invalid quantity '1x': "
            "unexpected character 'x' at position 1",
        ),
        ({"total.cpu": [1.5]}, "grid['total.cpu']: expected a quantity, got float 1.5"),
        ({"total.cpu": [True]}, "grid['total.cpu']: expected a quantity, got bool True"),
        ({"max.serving.cpu": ["-1"]}, "grid['max.serving.cpu']: must not be negative, got '-1'"),
        (
            {"total.cpu": "12"},
            "grid['total.cpu']: expected a non-empty sequence of values, got str '12'",
        ),
        (
            {"total.cpu": []},
            "grid['total.cpu']: expected a non-empty sequence of values, got list []",
        ),
        ({"total.cpu": [1, "1"]}, "grid['total.cpu']: value '1' is listed twice"),
        ({"interval": [1, 1.0]}, "grid['interval']: value 1.0 is listed twice"),
        (
            {"min.training.cpu": [1], "min[training].cpu": [2]},
            "grid: keys 'min.training.cpu' and 'min[training].cpu' set the same value",
        ),
        (
            {"total.cpu": [1], "capacity.cpu": [2]},
            "grid: keys 'total.cpu' and 'capacity.cpu' set the same value",
        ),
        (
            {("total.cpu", "total.cpu"): [(1, 2)]},
            "grid: keys 'total.cpu' and 'total.cpu' set the same value",
        ),
        ({(): [()]}, "grid: a tuple of keys must name at least one key"),
        (
            {("total.cpu", "policy"): [(1,)]},
            "grid['total.cpu:policy']: expected a tuple of 2 values, got tuple (1,)",
        ),
        (
            {("total.cpu", "policy"): [[1, "block"]]},
            "grid['total.cpu:policy']: expected a tuple of 2 values, got list [1, 'block']",
        ),
        (
            {("total.cpu", "policy"): [(1, "block"), ("1", "Block")]},
            "grid['total.cpu:policy']: value ('1', 'Block') is listed twice",
        ),
        (
            {"capacity.example.com/fpga": [2]},
            "grid['capacity.example.com/fpga']: the scenario's total has no example.com/fpga "
            "to scale the tree from",
        ),
        (
            {"oversell": ["9" * 5000]},
            "grid['oversell']: expected an int ≥ 1, got str '" + "9" * 80 + "…'",
        ),
        (
            [("policy", ["block"])],
            "grid: expected a mapping of key to values, got list [('policy', ['block'])]",
        ),
    ],
)
def test_a_bad_grid_is_refused_naming_the_key_and_the_value(grid: Any, message: str) -> None:
    with pytest.raises(InvalidRequest) as error:
        sweep(BASE, JOBS, grid)
    assert str(error.value) == message


def test_a_point_that_breaks_a_rule_the_tree_keeps_is_refused_before_any_simulation() -> None:
    calls: list[tuple[int, int]] = []
    with pytest.raises(InvalidRequest) as error:
        sweep(
            BASE,
            JOBS,
            {"min.serving.nvidia.com/gpu": [4, 5, 7]},
            progress=lambda done, total: calls.append((done, total)),
        )
    assert str(error.value) == (
        "grid point min.serving.nvidia.com/gpu=5: the quota tree becomes invalid: "
        "root: sum of children's min nvidia.com/gpu=9 exceeds min nvidia.com/gpu=8 "
        "(training=4, serving=5)"
    )
    assert calls == []


def test_a_rule_the_scenario_tree_already_breaks_does_not_refuse_a_point() -> None:
    # The base tree already breaks the min-sum rule: a point may keep breaking it.
    broken = attrs.evolve(BASE, tree=_tree_with("serving", min=gpus(5, 32)))
    result = sweep(broken, JOBS, {"min.serving.nvidia.com/gpu": [5, 6]})
    assert [point.label for point in result.points] == [
        "min.serving.nvidia.com/gpu=5",
        "min.serving.nvidia.com/gpu=6",
    ]
    with pytest.raises(InvalidRequest) as error:
        sweep(broken, JOBS, {"min.serving.nvidia.com/gpu": [7]})
    assert str(error.value) == (
        "grid point min.serving.nvidia.com/gpu=7: the quota tree becomes invalid: "
        "serving: min nvidia.com/gpu=7 exceeds max nvidia.com/gpu=6"
    )


# Points --------------------------------------------------------------------------------------


def test_points_are_the_cartesian_product_with_the_last_key_fastest() -> None:
    result = sweep(
        BASE, JOBS, {"policy": ["priority", "block"], "total.nvidia.com/gpu": [4, 8, "12"]}
    )
    assert [point.label for point in result.points] == [
        "policy=Priority, total.nvidia.com/gpu=4",
        "policy=Priority, total.nvidia.com/gpu=8",
        "policy=Priority, total.nvidia.com/gpu=12",
        "policy=Block, total.nvidia.com/gpu=4",
        "policy=Block, total.nvidia.com/gpu=8",
        "policy=Block, total.nvidia.com/gpu=12",
    ]
    assert [point.index for point in result.points] == list(range(6))
    assert [axis.text for axis in result.axes] == ["policy", "total.nvidia.com/gpu"]
    assert [[axis.show(step) for step in axis.steps] for axis in result.axes] == [
        ["Priority", "Block"],
        ["4", "8", "12"],
    ]
    assert result.points[4].settings == (
        ("policy", QueuePolicy.BLOCK),
        ("total.nvidia.com/gpu", 8000),
    )
    assert result.points[4].value("total.nvidia.com/gpu") == 8000
    assert result.points[4].scenario == attrs.evolve(
        BASE, policy=QueuePolicy.BLOCK, total=Resources({"cpu": 64000, GPU: 8000})
    )


def test_every_point_equals_a_plain_simulation_of_its_scenario() -> None:
    result = sweep(
        BASE,
        reversed(JOBS),
        {
            "reclaim": ["ToRuntime", "None"],
            ("min.training.nvidia.com/gpu", "min.serving.nvidia.com/gpu"): [(4, 4), (6, 2)],
        },
    )
    assert len(result.points) == 4
    for point in result.points:
        assert point.result == simulate(point.scenario, JOBS)
    assert result.points[3].scenario.tree == QuotaTree(
        nodes=[
            TREE.nodes[0],
            attrs.evolve(TREE.nodes[1], min=gpus(6, 32)),
            attrs.evolve(TREE.nodes[2], min=gpus(2, 32)),
        ]
    )
    assert result.points[3].scenario.reclaim is Reclaim.NONE


def test_the_points_differ_where_the_setting_matters() -> None:
    # Halving the capacity halves serving's min to 2 GPUs: the chat job (4 GPUs, not
    # preemptible, so held to its min) can then never start.
    result = sweep(BASE, JOBS, {"capacity.nvidia.com/gpu": [4, 8]})
    chats = [point.result.job("inference", "chat") for point in result.points]
    assert [(chat.state, chat.wait) for chat in chats] == [
        (JobState.PENDING, None),
        (JobState.FINISHED, 0),
    ]


def test_capacity_scales_every_min_and_max_of_the_resource_rounding_down() -> None:
    result = sweep(BASE, (), {"capacity.nvidia.com/gpu": ["12", "5"]})
    twelve, five = (point.scenario for point in result.points)
    assert twelve.total == gpus(12, 64)
    assert [(node.min[GPU], node.max[GPU], node.min["cpu"]) for node in twelve.tree] == [
        (12000, 12000, 64000),
        (6000, 12000, 32000),
        (6000, 9000, 32000),
    ]
    # 6 × 5/8 = 3.75 GPUs: exact in milli-units; 4 × 5/8 = 2.5.
    assert [(node.min[GPU], node.max[GPU]) for node in five.tree] == [
        (5000, 5000),
        (2500, 5000),
        (2500, 3750),
    ]


def test_capacity_applies_first_so_that_a_min_the_point_sets_is_absolute() -> None:
    result = sweep(BASE, (), {"min.serving.nvidia.com/gpu": [3], "capacity.nvidia.com/gpu": [16]})
    scenario = result.points[0].scenario
    assert scenario.tree.node("serving").min[GPU] == 3000
    assert scenario.tree.node("training").min[GPU] == 8000


def test_total_changes_the_total_only() -> None:
    result = sweep(BASE, (), {"total.nvidia.com/gpu": [16]})
    assert result.points[0].scenario == attrs.evolve(BASE, total=gpus(16, 64))


def test_a_max_may_be_given_to_a_resource_it_lacked() -> None:
    tree = _tree_with("training", max=Resources.parse({"cpu": 64}))
    unlimited = attrs.evolve(BASE, tree=QuotaTree(nodes=tree.nodes))
    result = sweep(unlimited, (), {"max.training.nvidia.com/gpu": [8]})
    assert result.points[0].scenario.tree.node("training").max == gpus(8, 64)


def test_scenario_fields_are_set_as_read() -> None:
    result = sweep(
        BASE, (), {"interval": ["60"], "oversell": [2], "restart": ["resume"], "reclaim": ["none"]}
    )
    assert result.points[0].scenario == attrs.evolve(
        BASE, interval=60, oversell=2, restart=Restart.RESUME, reclaim=Reclaim.NONE
    )


def test_an_empty_grid_is_the_scenario_itself() -> None:
    result = sweep(BASE, JOBS, {})
    assert result.axes == ()
    assert [(point.label, point.settings) for point in result.points] == [("", ())]
    assert result.points[0].scenario is BASE
    assert result.points[0].result == simulate(BASE, JOBS)


def test_until_reaches_every_point() -> None:
    result = sweep(BASE, JOBS, {"policy": ["block"]}, until=900)
    assert result.points[0].result == simulate(
        attrs.evolve(BASE, policy=QueuePolicy.BLOCK), JOBS, until=900
    )


def test_without_outcomes_a_point_keeps_its_statistics_only() -> None:
    full = sweep(BASE, JOBS, {"policy": ["priority", "block"]})
    light = sweep(BASE, JOBS, {"policy": ["priority", "block"]}, outcomes=False)
    for kept, point in zip(light.points, full.points, strict=True):
        assert (kept.result.jobs, kept.result.preemptions, kept.result.timeline) == ((), (), ())
        assert kept.result.quotas == point.result.quotas
        assert kept.result.cluster == point.result.cluster


def test_progress_counts_the_points() -> None:
    calls: list[tuple[int, int]] = []
    sweep(
        BASE,
        JOBS,
        {"oversell": [1, 2, 3]},
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_a_key_not_in_the_grid_is_named() -> None:
    point = sweep(BASE, (), {"policy": ["block"]}).points[0]
    with pytest.raises(InvalidRequest) as error:
        point.value("reclaim")
    assert str(error.value) == "key: 'reclaim' is not a key of the grid (keys: policy)"


def test_an_error_in_a_simulation_is_raised_as_itself() -> None:
    twice = (*JOBS, JOBS[0])
    with pytest.raises(InvalidRequest) as expected:
        simulate(BASE, twice)
    with pytest.raises(InvalidRequest) as error:
        sweep(BASE, twice, {"policy": ["block"]})
    assert str(error.value) == str(expected.value)


# Engines -------------------------------------------------------------------------------------


def test_the_sequential_engine_is_the_default_under_every_spelling() -> None:
    plain = sweep(BASE, JOBS, {"policy": ["block"]})
    for engine in (SweepEngine.SEQUENTIAL, "sequential", None):
        assert sweep(BASE, JOBS, {"policy": ["block"]}, engine=engine) == plain


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"engine": "spark"}, "engine: expected one of 'sequential', 'ray', got 'spark'"),
        ({"engine": 1}, "engine: expected one of 'sequential', 'ray', got 1"),
        (
            {"address": "auto"},
            "address: expected a string with engine='ray', got 'auto'",
        ),
        (
            {"engine": "ray", "address": 5},
            "address: expected a string with engine='ray', got 5",
        ),
        ({"num_cpus": 0}, "num_cpus: expected an int ≥ 1, got int 0"),
        ({"num_cpus": True}, "num_cpus: expected an int ≥ 1, got bool True"),
        ({"outcomes": 0}, "outcomes: expected True or False, got int 0"),
        ({"progress": 5}, "progress: expected a callable or None, got int 5"),
    ],
)
def test_bad_engine_options_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRequest) as error:
        sweep(BASE, JOBS, {"policy": ["block"]}, **options)
    assert str(error.value) == message


def test_the_ray_engine_without_ray_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(InvalidRequest) as error:
        sweep(BASE, JOBS, {"policy": ["block"]}, engine="ray")
    assert str(error.value) == "engine: 'ray' needs the ray package: pip install 'invsched[ray]'"


def test_a_point_keeps_a_koordinator_implicit_root() -> None:
    """Changing one amount rebuilds the tree with its other fields: a tree read from flat
    ElasticQuota objects keeps its implicit root (exempt from the rules relating the root to
    its children)."""
    from invsched.quota import QuotaNode, QuotaTree
    from invsched.resources import Resources
    from invsched.simulate import Job, Scenario, sweep

    gpu = Resources.parse({"nvidia.com/gpu": 2})
    tree = QuotaTree.from_nodes(
        [
            QuotaNode(name="koordinator-root-quota", children=("team",)),
            QuotaNode(
                name="team", parent="koordinator-root-quota", min=gpu, max=gpu, namespaces=("ml",)
            ),
        ],
        implicit_root=True,
    )
    jobs = [Job(name="a", namespace="ml", request=gpu, submit=0, duration=10)]
    result = sweep(Scenario(tree=tree, total=gpu), jobs, {"max.team.nvidia.com/gpu": ["2", "3"]})
    assert [point.scenario.tree.implicit_root for point in result.points] == [True, True]
    assert [point.scenario.tree.node("team").max["nvidia.com/gpu"] for point in result.points] == [
        2000,
        3000,
    ]


def test_jobs_that_are_not_jobs_are_refused_before_any_simulation() -> None:
    with pytest.raises(InvalidRequest) as error:
        sweep(BASE, 5, {"policy": ["block"]})  # type: ignore[arg-type]
    assert str(error.value) == "jobs: expected a sequence of Job, got int 5"
