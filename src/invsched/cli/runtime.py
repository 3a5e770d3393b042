"""``invsched runtime``: each quota's runtime for a cluster total and a demand.

Reads the quota tree among the files, and the jobs and the ``ClusterState`` if any. The total
is ``--total``, else the ClusterState's, else the root's max. The demand of a leaf quota is
what its units ask for — the ClusterState's running units and the jobs (pending units), as
Koordinator counts both in a quota's request — plus the ``--request
QUOTA:RESOURCE=QUANTITY,...`` options naming it. Prints min, max, request (the demand summed
up the tree and capped at each max, as Koordinator reports it to the parent) and runtime per
quota, as a tree. JSON schema: ``schemas/runtime.json``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, Final, TextIO

from invsched.admission.units import QueueUnit
from invsched.cli._command import EXIT_OK, BadInput, Command, quantities, resources_option
from invsched.cli._input import note_skipped, read_inputs
from invsched.cli._output import Format, Report, Table, Text, emit
from invsched.cli._quota import (
    choose_total,
    leaf_of,
    quota_rows,
    quota_table,
    read_tree,
    total_text,
)
from invsched.quota.runtime import aggregate_requests, runtime_quota
from invsched.quota.tree import QuotaTree
from invsched.resources import Resources

__all__: list[str] = []

#: The ``Manifests`` fields this command reads.
_READS: Final = frozenset({"quota_tree", "units", "priority_classes", "cluster_state"})


def _request_option(text: str) -> tuple[str, Resources]:
    """``--request QUOTA:RESOURCE=QUANTITY,...``."""
    quota, colon, amounts = text.partition(":")
    if not colon or not quota.strip():
        raise argparse.ArgumentTypeError(
            f"expected QUOTA:RESOURCE=QUANTITY[,RESOURCE=QUANTITY...], got {text!r}"
        )
    return quota.strip(), resources_option(amounts)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--total",
        type=resources_option,
        metavar="RESOURCE=QUANTITY,...",
        help="the cluster total (default: the ClusterState's, else the root's max)",
    )
    parser.add_argument(
        "--request",
        type=_request_option,
        action="append",
        default=[],
        metavar="QUOTA:RESOURCE=QUANTITY,...",
        help="demand of a leaf quota (repeat for several; amounts add up)",
    )


def _demand(
    args: argparse.Namespace, tree: QuotaTree, units: Sequence[QueueUnit]
) -> tuple[dict[str, Resources], list[str]]:
    """Leaf → demand, and the units no leaf quota holds (namespace/name)."""
    demand: dict[str, Resources] = {}
    without: list[str] = []
    for unit in units:
        leaf = leaf_of(tree, unit)
        if leaf is None:
            without.append(unit.key)
        else:
            demand[leaf] = demand.get(leaf, Resources()) + unit.request
    for quota, amounts in args.request:
        if quota not in tree:
            raise BadInput(f"--request {quota}: no quota of that name in the tree")
        if tree.children(quota):
            raise BadInput(f"--request {quota}: a parent quota; only leaf quotas run jobs")
        demand[quota] = demand.get(quota, Resources()) + amounts
    return demand, without


def _run(args: argparse.Namespace, out: TextIO) -> int:
    inputs = read_inputs(args.files)
    tree = read_tree(inputs)
    total, source = choose_total(args.total, inputs, tree)
    state = inputs.manifests.cluster_state
    running = () if state is None else state.running
    pending = inputs.manifests.units
    demand, without = _demand(args, tree, (*running, *pending))
    runtime = runtime_quota(tree, demand, total)
    requests = aggregate_requests(tree, demand)
    skipped = inputs.skipped(_READS)
    if args.output is Format.TABLE:
        note_skipped(skipped, "runtime")
    columns = {"request": requests, "runtime": runtime}
    data: dict[str, Any] = {
        "files": list(inputs.files),
        "total": quantities(total),
        "total_from": source.value,
        "units": {"running": len(running), "pending": len(pending), "without_quota": without},
        "quotas": quota_rows(tree, columns),
        "skipped": [item.data() for item in skipped],
    }

    def report() -> Report:
        title = f"Runtime quota for a total of {total_text(total, source)}"
        lines = []
        if running or pending:
            lines.append(f"{len(running)} running and {len(pending)} pending unit(s) counted")
        if without:
            lines.append(f"not counted, no leaf quota holds them: {', '.join(without)}")
        blocks: list[Table | Text] = [quota_table(title, tree, columns)]
        if lines:
            blocks.append(Text(lines=tuple(lines)))
        return Report(blocks=tuple(blocks))

    emit(data, args.output, report, out)
    return EXIT_OK


_COMMAND: Final = Command(
    name="runtime",
    summary="each quota's runtime for a cluster total and a demand",
    description=__doc__ or "",
    files="manifests holding a quota tree, jobs and a ClusterState (- for standard input)",
    add_arguments=_add_arguments,
    run=_run,
)
