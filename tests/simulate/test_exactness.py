"""Every cycle of a simulation decides exactly what ``admit`` decides for its inputs.

The engine is observed through its debugging hook: each cycle reports the pending and
running units it started from and what it admitted and preempted. ``admit`` is then called
from scratch on the same inputs with the scenario's options, and the decisions must be the
same, in the same order. Skipped cycles are observed too (they must admit nothing), and so
are the cycles the engine runs over only the units that can act.
"""

from __future__ import annotations

from collections.abc import Sequence
from unittest import mock

from hypothesis import given, settings

from invsched.admission import QueuePolicy, admit
from invsched.admission.cycle import _Cycle
from invsched.resources import Resources
from invsched.simulate import Job, Scenario
from invsched.simulate._admission import AdmissionState
from invsched.simulate._rooms import Rooms
from invsched.simulate.engine import _CycleRecord, _Simulation
from invsched.testing._workload import simulation_inputs
from tests.simulate.helpers import GPU, contended, contended_tree


def _replay(scenario: Scenario, jobs: Sequence[Job]) -> tuple[list[_CycleRecord], _Simulation]:
    records: list[_CycleRecord] = []
    simulation = _Simulation(scenario, jobs, until=None, progress=None, observe=records.append)
    simulation.run()
    return records, simulation


def _assert_cycles_match_admit(scenario: Scenario, records: Sequence[_CycleRecord]) -> None:
    for record in records:
        expected = admit(
            scenario.tree,
            record.pending,
            running=record.running,
            total=scenario.total,
            policy=scenario.policy,
            oversell=scenario.oversell,
            reclaim=scenario.reclaim,
            preempt_within_quota=scenario.preempt_within_quota,
        )
        assert [unit.identity for unit in record.admitted] == [
            unit.identity for unit in expected.admitted
        ], record.time
        assert [
            (victim.identity, preemptor.identity, reason)
            for victim, preemptor, reason in record.preempted
        ] == [
            (p.victim.identity, p.preemptor.identity if p.preemptor else None, p.reason)
            for p in expected.preempted
        ], record.time


@given(simulation_inputs(max_jobs=14, strays=True))
def test_every_cycle_equals_admit(drawn: object) -> None:
    from invsched.simulate.scenarios import SimulationInput

    assert isinstance(drawn, SimulationInput)
    records, _ = _replay(drawn.scenario, drawn.jobs)
    _assert_cycles_match_admit(drawn.scenario, records)


@settings(max_examples=80)
@given(contended())
def test_every_cycle_equals_admit_under_contention(drawn: tuple[Scenario, list[Job]]) -> None:
    scenario, jobs = drawn
    records, _ = _replay(scenario, jobs)
    _assert_cycles_match_admit(scenario, records)


def test_the_contended_replays_skip_cycles_and_undo_preempting_ones() -> None:
    # The fast path is exercised, not only the whole-queue cycle: a fixed contended run
    # skips cycles that can decide nothing and undoes the ones that preempt.
    tree = contended_tree(lend=True)
    scenario = Scenario(tree=tree, total=Resources({GPU: 6000, "cpu": 12000}))
    jobs = [
        Job(
            name=f"j{index}",
            namespace=("a", "b", "ops")[index % 3],
            request=Resources({GPU: (1 + index % 3) * 1000, "cpu": (1 + index % 3) * 2000}),
            submit=(index * 7) % 50,
            duration=5 + (index * 11) % 23,
            priority=index % 2,
        )
        for index in range(60)
    ]
    records, simulation = _replay(scenario, jobs)
    _assert_cycles_match_admit(scenario, records)
    state = simulation.state
    assert state.skipped_cycles > 0
    assert state.aborted_cycles > 0
    assert state.full_cycles == state.aborted_cycles
    assert len(records) == simulation.cycles


@settings(max_examples=60)
@given(contended())
def test_the_room_vectors_answer_as_the_ledger_checks(drawn: tuple[Scenario, list[Job]]) -> None:
    # A bucket left out of a cycle must be one the ledger's own checks call dead: compare
    # both answers for every bucket at the start of every skimmed cycle.
    scenario, jobs = drawn
    original = AdmissionState._skim
    compared = []

    def checked(state: AdmissionState, cycle: _Cycle) -> bool:
        rooms = Rooms(state.ledger, cycle.pool, state.reclaim)
        for bucket in state.buckets.values():
            probe = bucket.probe
            fast = rooms.can_act(probe.leaf, probe.request, probe.unit.preemptible)
            assert fast == state._can_act(cycle, probe)
            compared.append(fast)
        return original(state, cycle)

    with mock.patch.object(AdmissionState, "_skim", checked):
        _replay(scenario, jobs)
    if scenario.policy is QueuePolicy.PRIORITY and not scenario.preempt_within_quota:
        assert compared
