"""Laws of one admission cycle (SPEC A and X), checked by the one admission oracle."""

from __future__ import annotations

import random
from collections.abc import Mapping
from fractions import Fraction

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from invsched.admission import (
    AdmissionResult,
    QueuePolicy,
    QueueUnit,
    Reclaim,
    admit,
    select_victims,
)
from invsched.quota import QuotaTree
from invsched.resources import Resources
from invsched.testing import (
    assert_admission_consistent,
    generate_tree,
    queue_units,
    quota_trees,
    running_sets,
)


@st.composite
def cycles(
    draw: st.DrawFn,
) -> tuple[QuotaTree, Resources, tuple[QueueUnit, ...], tuple[QueueUnit, ...]]:
    """A tree, a cluster total, running units that fit it, and a queue of pending units."""
    tree = draw(quota_trees(max_nodes=8, max_depth=3))
    names = sorted({key for node in tree for key in (*node.max, *node.min)}) or ["cpu"]
    total = Resources({name: draw(st.integers(0, 12)) * 1000 for name in names})
    running = draw(running_sets(tree, total))
    pending = draw(queue_units(tree))
    return tree, total, running, pending


options = st.fixed_dictionaries(
    {
        "policy": st.sampled_from(QueuePolicy),
        "reclaim": st.sampled_from(Reclaim),
        "preempt_within_quota": st.booleans(),
        "oversell": st.sampled_from([1, 2, Fraction(3, 2)]),
    }
)

Cycle = tuple[QuotaTree, Resources, tuple[QueueUnit, ...], tuple[QueueUnit, ...]]


def run(cycle: Cycle, option: Mapping[str, object]) -> AdmissionResult:
    tree, total, running, pending = cycle
    return admit(tree, pending, running=running, total=total, **option)  # type: ignore[arg-type]


@given(cycles(), options)
def test_every_result_satisfies_the_admission_oracle(
    cycle: Cycle, option: Mapping[str, object]
) -> None:
    """Usage ≤ max on every path and ≤ total, minimal victims from quotas above runtime,
    every pending unit exactly once."""
    tree, total, running, pending = cycle
    result = run(cycle, option)
    assert_admission_consistent(
        tree,
        total,
        pending,
        running,
        result,
        oversell=option["oversell"],  # type: ignore[arg-type]
        reclaim=option["reclaim"],  # type: ignore[arg-type]
    )


@st.composite
def crowded_cycles(draw: st.DrawFn) -> Cycle:
    """A generated tree whose cluster (its root's min) is crowded by borrowers: reclaim is
    frequent here."""
    depth = draw(st.integers(1, 2))
    tree = generate_tree(draw(st.integers(2, 6)), depth, seed=draw(st.integers(0, 2**16)))
    total = tree.root.min
    running = draw(running_sets(tree, total, max_units=24))
    pending = draw(queue_units(tree, max_units=8))
    return tree, total, running, pending


@given(crowded_cycles(), options)
def test_reclaim_victims_are_minimal_and_come_from_quotas_above_runtime(
    cycle: Cycle, option: Mapping[str, object]
) -> None:
    """On crowded clusters: putting any victim back breaks its preemptor's fit, and every
    reclaim victim's quota used more than its runtime when it was chosen."""
    tree, total, running, pending = cycle
    result = run(cycle, option)
    assert_admission_consistent(
        tree,
        total,
        pending,
        running,
        result,
        oversell=option["oversell"],  # type: ignore[arg-type]
        reclaim=option["reclaim"],  # type: ignore[arg-type]
    )


@given(crowded_cycles(), options, st.randoms(use_true_random=False))
def test_results_are_identical_for_shuffled_input_order(
    cycle: Cycle, option: Mapping[str, object], rng: random.Random
) -> None:
    """The order of ``pending`` and ``running`` does not change the result."""
    tree, total, running, pending = cycle
    shuffled_pending, shuffled_running = list(pending), list(running)
    rng.shuffle(shuffled_pending)
    rng.shuffle(shuffled_running)
    shuffled = (tree, total, tuple(shuffled_running), tuple(shuffled_pending))
    assert run(shuffled, option) == run(cycle, option)


@given(cycles(), options)
def test_inputs_are_unchanged(cycle: Cycle, option: Mapping[str, object]) -> None:
    """admit() mutates neither its lists nor anything reachable from them."""
    tree, total, running, pending = cycle
    pending_list, running_list = list(pending), list(running)
    before = (tree, total, list(pending_list), list(running_list))
    admit(tree, pending_list, running=running_list, total=total, **option)  # type: ignore[arg-type]
    assert (tree, total, pending_list, running_list) == before


@given(
    st.lists(
        st.builds(
            QueueUnit,
            name=st.text("abcdef", min_size=1, max_size=3),
            namespace=st.just("q"),
            request=st.builds(
                lambda cpu, gpu: Resources({"cpu": cpu, "gpu": gpu}),
                st.integers(0, 5),
                st.integers(0, 3),
            ),
            priority=st.integers(0, 3),
            created=st.integers(0, 3),
            preemptible=st.booleans(),
        ),
        max_size=8,
        unique_by=lambda unit: unit.name,
    ),
    st.integers(0, 15),
    st.integers(0, 6),
)
def test_select_victims_is_minimal(units: list[QueueUnit], cpu: int, gpu: int) -> None:
    """When usage can be brought within the limit, the victims do it, and putting any one
    back breaks it; non-preemptible units are never chosen."""
    used = Resources(
        {"cpu": sum(u.request["cpu"] for u in units), "gpu": sum(u.request["gpu"] for u in units)}
    )
    limit = Resources({"cpu": cpu, "gpu": gpu})
    victims = select_victims(units, used, limit)
    assert all(victim.preemptible for victim in victims)
    assert len({victim.name for victim in victims}) == len(victims)
    removable = used - sum((u.request for u in units if u.preemptible), Resources())
    if not removable.fits_in(limit):
        assert sorted(v.name for v in victims) == sorted(u.name for u in units if u.preemptible)
        return
    left = used - sum((v.request for v in victims), Resources())
    assert left.fits_in(limit)
    for victim in victims:
        assert not (left + victim.request).fits_in(limit)


class AdmissionMachine(RuleBasedStateMachine):
    """Admit, finish and change demand, cycle after cycle; the oracle checks every cycle."""

    def __init__(self) -> None:
        super().__init__()
        self.tree = generate_tree(4, 2, seed=0)
        self.total = self.tree.root.min
        self.running: dict[tuple[str, str], QueueUnit] = {}
        self.waiting: dict[tuple[str, str], QueueUnit] = {}
        self.serial = 0
        self.option: dict[str, object] = {}

    @initialize(option=options)
    def choose_options(self, option: dict[str, object]) -> None:
        self.option = dict(option)

    @rule(units=queue_units(generate_tree(4, 2, seed=0), max_units=4, strays=False))
    def submit(self, units: tuple[QueueUnit, ...]) -> None:
        """New demand: units join the queue (renamed to stay unique)."""
        for unit in units:
            self.serial += 1
            renamed = attrs.evolve(unit, name=f"u{self.serial}", created=self.serial)
            self.waiting[renamed.identity] = renamed

    @rule(data=st.data())
    def withdraw(self, data: st.DataObject) -> None:
        """Demand changes: a waiting unit is cancelled."""
        if self.waiting:
            key = data.draw(st.sampled_from(sorted(self.waiting)))
            del self.waiting[key]

    @rule(data=st.data())
    def finish(self, data: st.DataObject) -> None:
        """A running unit completes and frees its capacity."""
        if self.running:
            key = data.draw(st.sampled_from(sorted(self.running)))
            del self.running[key]

    @rule()
    def cycle(self) -> None:
        """One admission cycle; admitted units start, victims go back to the queue."""
        pending = tuple(self.waiting.values())
        running = tuple(self.running.values())
        result = admit(
            self.tree,
            pending,
            running=running,
            total=self.total,
            **self.option,  # type: ignore[arg-type]
        )
        assert_admission_consistent(
            self.tree,
            self.total,
            pending,
            running,
            result,
            oversell=self.option["oversell"],  # type: ignore[arg-type]
            reclaim=self.option["reclaim"],  # type: ignore[arg-type]
        )
        for unit in result.admitted:
            del self.waiting[unit.identity]
            self.running[unit.identity] = unit
        for preemption in result.preempted:
            del self.running[preemption.victim.identity]
            self.waiting[preemption.victim.identity] = preemption.victim

    @invariant()
    def running_fits_the_cluster(self) -> None:
        used = sum((unit.request for unit in self.running.values()), Resources())
        assert used.fits_in(self.total)


TestAdmissionMachine = AdmissionMachine.TestCase
TestAdmissionMachine.settings = settings(max_examples=30, stateful_step_count=12)
