"""Shared strategies of the simulation tests: small contended clusters and many jobs of few
shapes, where queues form, quotas borrow, and reclaim and the ancestors' max bind."""

from __future__ import annotations

from hypothesis import strategies as st

from invsched.admission import QueuePolicy, Reclaim
from invsched.quota import QuotaNode, QuotaTree
from invsched.resources import Resources
from invsched.simulate import Job, Restart, Scenario

__all__ = ["GPU", "contended", "contended_tree"]

GPU = "nvidia.com/gpu"


def contended_tree(lend: bool) -> QuotaTree:
    """Two teams under a 5-GPU parent and a third team directly under the 6-GPU root:
    borrowing, reclaim and ancestors' max all bind."""

    def amounts(gpus: int) -> Resources:
        return Resources({GPU: gpus * 1000, "cpu": gpus * 2000})

    def node(name: str, low: int, high: int, **links: object) -> QuotaNode:
        return QuotaNode(name=name, min=amounts(low), max=amounts(high), **links)  # type: ignore[arg-type]

    return QuotaTree.from_nodes(
        [
            node("root", 6, 6, children=("teams", "ops")),
            node("teams", 4, 5, parent="root", children=("a", "b")),
            node("a", 2, 5, parent="teams", namespaces=("a",)),
            node("b", 2, 4, parent="teams", namespaces=("b",), allow_lent=lend),
            node("ops", 2, 6, parent="root", namespaces=("ops",)),
        ]
    )


@st.composite
def contended(draw: st.DrawFn) -> tuple[Scenario, list[Job]]:
    """Many jobs of few shapes on a small cluster: long queues, buckets, reclaim."""
    tree = contended_tree(draw(st.booleans()))
    scenario = Scenario(
        tree=tree,
        total=Resources({GPU: 6000, "cpu": 12000}),
        policy=draw(st.sampled_from(QueuePolicy)),
        reclaim=draw(st.sampled_from(Reclaim)),
        interval=draw(st.sampled_from((0, 0, 0, 3))),
        restart=draw(st.sampled_from(Restart)),
        preempt_within_quota=draw(st.booleans()),
    )
    count = draw(st.integers(10, 40))
    jobs = []
    for index in range(count):
        gpus = draw(st.sampled_from((1, 1, 2, 3)))
        namespace = draw(st.sampled_from(("a", "b", "ops")))
        submit = draw(st.integers(0, 60))
        patience = draw(st.sampled_from((None, None, None, 0, 10, 40)))
        jobs.append(
            Job(
                name=f"j{index}",
                namespace=namespace,
                request=Resources({GPU: gpus * 1000, "cpu": gpus * 2000}),
                submit=submit,
                duration=draw(st.integers(0, 30)),
                priority=draw(st.sampled_from((0, 0, 1, 5))),
                preemptible=draw(st.booleans()) or namespace != "ops",
                deadline=None if patience is None else submit + patience,
            )
        )
    return scenario, jobs
