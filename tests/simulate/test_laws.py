"""Laws of a simulation, judged by the oracle on generated scenarios and event sequences.

``check_simulation`` states the invariants (limits at every cycle, starts within submission
and deadline, durations, preemption reasons, timeline and statistics from the job records,
input order, prefixes). The stateful test drives a run event by event: jobs arrive while
the clock moves on, completions and preemptions follow from the cycles, and whatever
arrives later never changes what was already decided.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from invsched.admission import QueuePolicy, Reclaim
from invsched.resources import Resources
from invsched.simulate import Job, Restart, Scenario, SimulationResult, simulate
from invsched.simulate.scenarios import SimulationInput
from invsched.testing import check_simulation, simulation_inputs
from tests.simulate.helpers import GPU, contended, contended_tree


@given(simulation_inputs(max_jobs=12, strays=True))
def test_generated_runs_keep_every_invariant(drawn: SimulationInput) -> None:
    result = simulate(drawn.scenario, drawn.jobs)
    assert check_simulation(drawn.scenario, drawn.jobs, result) == ()


@settings(max_examples=40)
@given(contended(), st.integers(0, 70))
def test_contended_runs_keep_every_invariant(drawn: tuple[Scenario, list[Job]], until: int) -> None:
    scenario, jobs = drawn
    for stop in (None, until):
        result = simulate(scenario, jobs, until=stop)
        assert check_simulation(scenario, jobs, result) == ()


class ArrivalsOverTime(RuleBasedStateMachine):
    """Jobs arrive while the clock moves on; the run up to now is checked at every step."""

    def __init__(self) -> None:
        super().__init__()
        self.scenario = Scenario(tree=contended_tree(True), total=Resources())
        self.jobs: list[Job] = []
        self.clock = 0
        #: Results of earlier steps, by their stop time.
        self.past: dict[int, SimulationResult] = {}

    @initialize(
        lend=st.booleans(),
        policy=st.sampled_from(QueuePolicy),
        reclaim=st.sampled_from(Reclaim),
        restart=st.sampled_from(Restart),
        interval=st.sampled_from((0, 0, 2)),
        within=st.booleans(),
    )
    def scenario_drawn(  # noqa: PLR0917 (hypothesis passes the rule's draws by keyword)
        self,
        lend: bool,
        policy: QueuePolicy,
        reclaim: Reclaim,
        restart: Restart,
        interval: int,
        within: bool,
    ) -> None:
        self.scenario = Scenario(
            tree=contended_tree(lend),
            total=Resources({GPU: 6000, "cpu": 12000}),
            policy=policy,
            reclaim=reclaim,
            restart=restart,
            interval=interval,
            preempt_within_quota=within,
        )

    @rule(
        namespace=st.sampled_from(("a", "b", "ops")),
        gpus=st.integers(1, 3),
        delay=st.integers(1, 6),
        duration=st.integers(0, 12),
        priority=st.integers(0, 3),
        preemptible=st.booleans(),
        patience=st.none() | st.integers(0, 10),
    )
    def submit(  # noqa: PLR0917 (hypothesis passes the rule's draws by keyword)
        self,
        namespace: str,
        gpus: int,
        delay: int,
        duration: int,
        priority: int,
        preemptible: bool,
        patience: int | None,
    ) -> None:
        submit = self.clock + delay
        self.jobs.append(
            Job(
                name=f"j{len(self.jobs)}",
                namespace=namespace,
                request=Resources({GPU: gpus * 1000, "cpu": gpus * 2000}),
                submit=submit,
                duration=duration,
                priority=priority,
                preemptible=preemptible or namespace != "ops",
                deadline=None if patience is None else submit + patience,
            )
        )

    @rule(seconds=st.integers(1, 8))
    def advance(self, seconds: int) -> None:
        self.clock += seconds

    @invariant()
    def the_run_so_far_is_consistent_and_the_past_stays(self) -> None:
        result = simulate(self.scenario, self.jobs, until=self.clock)
        assert check_simulation(self.scenario, self.jobs, result) == ()
        for stop, earlier in self.past.items():
            assert simulate(self.scenario, self.jobs, until=stop) == earlier
        self.past[self.clock] = result


ArrivalsOverTime.TestCase.settings = settings(max_examples=25, stateful_step_count=12)
test_arrivals_over_time = ArrivalsOverTime.TestCase
