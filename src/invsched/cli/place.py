"""``invsched place``: where a Deployment's replicas go, and which nodes to buy or release.

Reads the ``Deployment`` and ``StatefulSet`` objects, the ``PropagationPolicy`` and
``ClusterPropagationPolicy`` objects and the ``Fleet`` among the files. Each workload is
placed with the policy Karmada would pick for it (``--workload NAME`` picks one workload).
The replicas running now come from the nodes' ``replicas`` in the Fleet, or from
``--current [CLUSTER/]NODE=COUNT,...``: a scale-down then releases the elastic nodes it
empties. Prints the replicas per cluster, the nodes to buy (with their hourly cost), the
nodes to release (with the savings) and why clusters were left out. Exit 1 when replicas
stay unplaced (no capacity or stock, or no policy selects the workload). JSON schema:
``schemas/place.json``.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, TextIO

from invsched.cli._command import EXIT_FINDINGS, EXIT_OK, BadInput, Command, quantities
from invsched.cli._input import note_skipped, read_inputs
from invsched.cli._output import Format, Report, Table, Text, emit
from invsched.manifests.fleet import FleetObject
from invsched.manifests.placement import PolicyObject, policy_for
from invsched.manifests.workloads import WorkloadObject
from invsched.placement.fleet import Fleet
from invsched.placement.place import place
from invsched.placement.records import Placement

__all__: list[str] = []

#: The ``Manifests`` fields this command reads.
_READS: Final = frozenset({"workloads", "policies", "fleet"})

#: ``--current``: (cluster or None, node) → replicas.
_Current = dict[tuple[str | None, str], int]


def _current_option(text: str) -> _Current:
    """``--current [CLUSTER/]NODE=COUNT,...``."""
    counts: _Current = {}
    for item in text.split(","):
        where, equals, count = item.strip().partition("=")
        cluster, slash, node = where.strip().rpartition("/")
        if not equals or not node or (slash and not cluster) or not count.strip().isdigit():
            raise argparse.ArgumentTypeError(
                f"expected [CLUSTER/]NODE=COUNT[,...] with COUNT a whole number, got {text!r}"
            )
        key = (cluster or None, node)
        if key in counts:
            raise argparse.ArgumentTypeError(f"{where.strip()} is given twice in {text!r}")
        counts[key] = int(count)
    return counts


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workload",
        metavar="[NAMESPACE/]NAME",
        help="place only this Deployment or StatefulSet",
    )
    parser.add_argument(
        "--current",
        type=_current_option,
        metavar="[CLUSTER/]NODE=COUNT,...",
        help="the workload's replicas on each node now (default: the Fleet's nodes' replicas)",
    )


def _chosen(workloads: Sequence[WorkloadObject], wanted: str | None, files: str) -> list[Any]:
    if not workloads:
        raise BadInput(f"{files}: no Deployment or StatefulSet document")
    if wanted is None:
        return list(workloads)
    found = [w for w in workloads if wanted in (w.name, w.key)]
    if not found:
        listed = ", ".join(w.key for w in workloads)
        raise BadInput(f"--workload: no Deployment or StatefulSet {wanted} (there are {listed})")
    if len(found) > 1:
        listed = ", ".join(w.key for w in found)
        raise BadInput(f"--workload: {wanted} names {listed}: give NAMESPACE/NAME")
    return found


def _observed(current: _Current, fleet: Fleet) -> dict[str, dict[str, int]]:
    """``--current`` as cluster → node → count, each node found in the fleet."""
    homes: dict[str, list[str]] = {}
    for cluster in fleet.clusters:
        for node in cluster.nodes:
            homes.setdefault(node.name, []).append(cluster.name)
    observed: dict[str, dict[str, int]] = {}
    for (given, name), count in current.items():
        clusters = homes.get(name, [])
        if given is None and len(clusters) > 1:
            raise BadInput(
                f"--current: node {name} is in clusters {', '.join(clusters)}: write CLUSTER/NODE"
            )
        home = clusters[0] if given is None and clusters else given
        if home is None or home not in clusters:
            where = name if given is None else f"{given}/{name}"
            raise BadInput(f"--current: the Fleet has no node {where}")
        observed.setdefault(home, {})[name] = count
    return observed


def _provisioning(result: Placement) -> list[dict[str, Any]]:
    return [
        {
            "cluster": item.cluster,
            "pool": item.pool,
            "instance_type": item.instance_type,
            "nodes": item.nodes,
            "replicas": item.replicas,
            "hourly_cost": str(item.hourly_cost),
        }
        for item in result.provisioning
    ]


def _scale_in(result: Placement) -> list[dict[str, Any]]:
    return [
        {
            "cluster": item.cluster,
            "pool": item.pool,
            "instance_type": item.instance_type,
            "nodes": item.nodes,
            "hourly_savings": str(item.hourly_savings),
        }
        for item in result.scale_in
    ]


def _placement(
    workload: Any,
    policies: Sequence[PolicyObject],
    fleet: FleetObject,
    current: Mapping[str, Mapping[str, int]] | None,
) -> dict[str, Any]:
    """One workload's placement as data."""
    match = policy_for(workload, policies)
    request = workload.workload
    observed = current if current is not None else fleet.current(workload.name)
    data: dict[str, Any] = {
        "workload": {
            "kind": workload.kind,
            "namespace": workload.namespace,
            "name": workload.name,
            "replicas": request.replicas,
            "request": quantities(request.request),
        },
        "policy": None if match.policy is None else match.policy.key,
        "policy_reason": match.reason,
        "current": {cluster: dict(nodes) for cluster, nodes in observed.items()},
    }
    if match.policy is None:
        result = Placement(replicas={}, unplaced=request.replicas)
    else:
        result = place(
            request, match.policy.policy, fleet.fleet, current=observed or None, allow_partial=True
        )
    data |= {
        "replicas": dict(result.per_cluster),
        "placed": result.placed,
        "unplaced": result.unplaced,
        "provisioning": _provisioning(result),
        "hourly_cost": str(result.hourly_cost),
        "scale_in": _scale_in(result),
        "hourly_savings": str(sum((item.hourly_savings for item in result.scale_in), Decimal(0))),
        "reasons": dict(result.reasons),
    }
    return data


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _blocks(data: Mapping[str, Any]) -> list[Table | Text]:
    workload = data["workload"]
    request = ", ".join(f"{name}={amount}" for name, amount in workload["request"].items())
    head = [
        f"{workload['kind']} {workload['namespace']}/{workload['name']}: "
        f"{_plural(workload['replicas'], 'replica')} of {request or 'nothing'}",
        f"policy: {data['policy_reason']}",
    ]
    if data["unplaced"]:
        head.append(f"unplaced: {_plural(data['unplaced'], 'replica')}")
    now = {cluster: sum(nodes.values()) for cluster, nodes in data["current"].items()}
    bought = sum(item["nodes"] for item in data["provisioning"])
    released = sum(item["nodes"] for item in data["scale_in"])
    return [
        Text(lines=tuple(head)),
        Table(
            title=f"Replicas per cluster ({data['placed']} placed)",
            columns=("cluster", "now", "replicas"),
            rows=[
                (cluster, str(now.get(cluster, 0)), str(data["replicas"].get(cluster, 0)))
                for cluster in sorted(set(now) | set(data["replicas"]))
            ],
        ),
        Table(
            title="Nodes to buy"
            + (f" ({_plural(bought, 'node')}, {data['hourly_cost']} per hour)" if bought else ""),
            columns=("cluster", "pool", "instance type", "nodes", "replicas", "cost/h"),
            rows=[
                (
                    item["cluster"],
                    item["pool"],
                    item["instance_type"],
                    str(item["nodes"]),
                    str(item["replicas"]),
                    item["hourly_cost"],
                )
                for item in data["provisioning"]
            ],
        ),
        Table(
            title="Nodes to release"
            + (
                f" ({_plural(released, 'node')}, saving {data['hourly_savings']} per hour)"
                if released
                else ""
            ),
            columns=("cluster", "pool", "instance type", "nodes", "savings/h"),
            rows=[
                (
                    item["cluster"],
                    item["pool"],
                    item["instance_type"],
                    str(item["nodes"]),
                    item["hourly_savings"],
                )
                for item in data["scale_in"]
            ],
        ),
        Table(
            title="Clusters left out",
            columns=("cluster", "reason"),
            rows=list(data["reasons"].items()),
        ),
    ]


def _report(placements: Sequence[Mapping[str, Any]]) -> Report:
    blocks: list[Table | Text] = []
    for data in placements:
        blocks.extend(_blocks(data))
    return Report(blocks=tuple(blocks))


def _run(args: argparse.Namespace, out: TextIO) -> int:
    inputs = read_inputs(args.files)
    manifests = inputs.manifests
    fleet = manifests.fleet
    if fleet is None:
        raise BadInput(f"{inputs.names}: no Fleet document")
    workloads = _chosen(manifests.workloads, args.workload, inputs.names)
    if args.current is not None and len(workloads) > 1:
        listed = ", ".join(w.key for w in workloads)
        raise BadInput(f"--current: {listed} are placed: pick one with --workload")
    current = None if args.current is None else _observed(args.current, fleet.fleet)
    placements = [_placement(w, manifests.policies, fleet, current) for w in workloads]
    skipped = inputs.skipped(_READS)
    if args.output is Format.TABLE:
        note_skipped(skipped, "place")
    data = {
        "files": list(inputs.files),
        "fleet": fleet.name,
        "placements": placements,
        "skipped": [item.data() for item in skipped],
    }
    emit(data, args.output, lambda: _report(placements), out)
    return EXIT_FINDINGS if any(p["unplaced"] for p in placements) else EXIT_OK


_COMMAND: Final = Command(
    name="place",
    summary="place Deployments on a fleet: replicas per cluster, nodes to buy or release",
    description=__doc__ or "",
    files="manifests holding Deployments, PropagationPolicies and a Fleet (- for standard input)",
    add_arguments=_add_arguments,
    run=_run,
)
