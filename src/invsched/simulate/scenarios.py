"""The packaged default scenario: Alibaba's GPU trace on a contended cluster split by QoS class.

:func:`default_scenario` is what ``invsched simulate`` runs without arguments: the 8,152 pods
of ``cluster-trace-gpu-v2023`` (:func:`~invsched.simulate.traces.load_packaged_trace`) on a
quota tree that splits a cluster of 32 GPUs, 640 CPUs and 3072Gi of memory between the
trace's QoS classes (``invsched/simulate/data/default-tree.yaml``).

The trace's own cluster has 6,212 GPUs, and the pods it lists never hold more than 65.6 of
them at once: replayed on that cluster nothing would ever wait. The default total is about
half that peak, with the cluster's own CPUs and memory per GPU, so queues form when the
trace is busy and the quotas decide who waits. ``docs/manifests/traces.md`` gives the
reasons for every amount.

>>> run = default_scenario()
>>> run.name, len(run.jobs), str(run.scenario.total)
('alibaba-v2023-default', 8152, 'cpu=640, memory=3Ti, nvidia.com/gpu=32')
>>> [leaf.name for leaf in run.scenario.tree.leaves]
['latency-sensitive', 'guaranteed', 'burstable', 'best-effort']
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from typing import Final

import attrs

from invsched._validators import (
    instance_field,
    name_field,
    string_field,
    to_tuple,
    tuple_of_field,
)
from invsched.admission import QueuePolicy, Reclaim
from invsched.errors import InvalidRequest
from invsched.quota import QuotaTree
from invsched.simulate.records import Job, Restart, Scenario
from invsched.simulate.traces import PackagedTrace, load_packaged_trace

__all__ = [
    "DEFAULT_SCENARIO_NAME",
    "SimulationInput",
    "default_scenario",
    "default_tree",
]

#: The name of the packaged default scenario.
DEFAULT_SCENARIO_NAME: Final = "alibaba-v2023-default"
_TREE_FILE: Final = "default-tree.yaml"
_DESCRIPTION: Final = (
    "Alibaba cluster-trace-gpu-v2023 (8,152 pods over 149 days) on a contended cluster of "
    "32 GPUs, about half of what the trace requests at its peak (65.6 GPUs), with the "
    "cluster's own 20 CPUs and 96Gi of memory per GPU: on the trace's own 6,212-GPU cluster "
    "nothing would ever wait. One quota per QoS class, its min in proportion to the class's "
    "GPU-time; latency-sensitive and guaranteed pods are never preempted and hold to their "
    "min, burstable and best-effort pods borrow up to 24 GPUs and may be preempted."
)


@attrs.frozen(kw_only=True)
class SimulationInput:
    """What one simulation runs: a named scenario and its jobs.

    Attributes:
        name: a short name (shown in reports).
        description: what the scenario is and why it is built so, in one paragraph.
        scenario: the tree, total and queue options.
        jobs: the jobs, in any order.

    Raises:
        InvalidRequest: a field of the wrong type.

    >>> from invsched.quota import QuotaNode
    >>> from invsched.resources import Resources
    >>> tree = QuotaTree.from_nodes([QuotaNode(name="root", namespaces=("ml",))])
    >>> run = SimulationInput(name="tiny", scenario=Scenario(tree=tree, total=Resources()),
    ...                       jobs=[])
    >>> run.jobs, run.description
    ((), '')
    """

    name: str = attrs.field(validator=name_field(InvalidRequest))
    scenario: Scenario = attrs.field(validator=instance_field(InvalidRequest, Scenario))
    jobs: tuple[Job, ...] = attrs.field(
        converter=to_tuple, validator=tuple_of_field(InvalidRequest, Job)
    )
    description: str = attrs.field(default="", validator=string_field(InvalidRequest))


def default_tree() -> QuotaTree:
    """The quota tree of the default scenario, read from the packaged ``default-tree.yaml``.

    Root min = max = 32 GPUs, 640 CPUs, 3072Gi; ``protected`` (``latency-sensitive`` for
    namespace ``ls``, ``guaranteed``) and ``preemptible`` (``burstable``, ``best-effort`` for
    namespace ``be``).

    Runtime complexity: O(nodes).

    >>> tree = default_tree()
    >>> [(node.name, node.min["nvidia.com/gpu"] // 1000) for node in tree][:4]
    [('root', 32), ('protected', 29), ('latency-sensitive', 26), ('guaranteed', 3)]
    """
    from invsched import _yaml  # noqa: PLC0415 (YAML is read only when the tree is)

    text = resources.files("invsched.simulate.data").joinpath(_TREE_FILE).read_text("utf-8")
    (document,) = _yaml.parse_documents(text)
    return QuotaTree.from_manifest(document)


def default_scenario(*, jobs: Iterable[Job] | None = None) -> SimulationInput:
    """The packaged default scenario: what ``invsched simulate`` runs without arguments.

    The Alibaba ``cluster-trace-gpu-v2023`` pod list on :func:`default_tree`, with the total
    its root's max (32 GPUs, 640 CPUs, 3072Gi), koord-queue's default ``Priority`` policy,
    ``WithinMin`` reclaim (the ACK guide: capacity is reclaimed so that a quota gets its min),
    one admission cycle per event time, and preempted pods restarting from scratch.

    Args:
        jobs: other jobs to run on the same tree and total; ``None`` loads the packaged trace.

    Raises:
        InvalidRequest: ``jobs`` holds something that is not a :class:`Job`.

    Runtime complexity: O(trace length).

    >>> default_scenario(jobs=()).scenario.reclaim
    <Reclaim.WITHIN_MIN: 'WithinMin'>
    """
    tree = default_tree()
    scenario = Scenario(
        tree=tree,
        total=tree.root.max,
        policy=QueuePolicy.PRIORITY,
        reclaim=Reclaim.WITHIN_MIN,
        interval=0,
        restart=Restart.FROM_SCRATCH,
    )
    chosen = load_packaged_trace(PackagedTrace.ALIBABA_V2023_DEFAULT) if jobs is None else jobs
    return SimulationInput(
        name=DEFAULT_SCENARIO_NAME, description=_DESCRIPTION, scenario=scenario, jobs=chosen
    )
