"""``invsched admit``: one admission cycle over the jobs among the files.

Reads the quota tree (an ``ElasticQuotaTree``, or Koordinator's flat ``ElasticQuota``
objects), the jobs (``RayJob``, ``Job``, ``PyTorchJob``, bare ``Pod``: each one pending unit,
with its priority from the ``PriorityClass`` objects) and, if any, the ``ClusterState`` (the
cluster's total and the units running now). The total is ``--total``, else the
ClusterState's, else the root's max. Prints the units admitted, the running units preempted
(victim, preemptor, reason), the units left pending with the reason and the numbers, then
each quota's usage and runtime after the cycle. Exit 1 when a unit stays pending. JSON
schema: ``schemas/admit.json``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Final, TextIO

from invsched.admission import AdmissionResult, QueuePolicy, Reclaim, admit
from invsched.cli._command import (
    EXIT_FINDINGS,
    EXIT_OK,
    BadInput,
    Command,
    choice,
    decimal_option,
    parse_enum,
    quantities,
    resources_option,
    resources_text,
)
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
from invsched.quota.tree import QuotaTree
from invsched.resources import Resources

__all__: list[str] = []

#: The ``Manifests`` fields this command reads.
_READS: Final = frozenset({"quota_tree", "units", "priority_classes", "cluster_state"})


def _oversell(text: str) -> Decimal:
    value = decimal_option(text)
    # Bounded before anything turns it into an int or a Fraction (1E+99999999 has 10^8 digits).
    if value <= 0 or not -100 < value.adjusted() < 100:
        raise argparse.ArgumentTypeError(
            f"expected a number above 0, between 1e-100 and 1e100, got {text!r}"
        )
    return value


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--total",
        type=resources_option,
        metavar="RESOURCE=QUANTITY,...",
        help="the cluster total (default: the ClusterState's, else the root's max)",
    )
    parser.add_argument(
        "--policy",
        type=parse_enum(QueuePolicy),
        default=QueuePolicy.PRIORITY,
        metavar="{priority,block}",
        help="when a unit does not fit: try the quota's next unit (priority, the default) or "
        "hold the quota's queue (block)",
    )
    parser.add_argument(
        "--reclaim",
        type=parse_enum(Reclaim),
        default=Reclaim.TO_RUNTIME,
        metavar="{to-runtime,within-min,none}",
        help="when a unit may take back capacity lent to other quotas (default: to-runtime)",
    )
    parser.add_argument(
        "--oversell",
        type=_oversell,
        default=Decimal(1),
        metavar="RATE",
        help="koord-queue's oversell rate: limits are max × RATE (default 1)",
    )
    parser.add_argument(
        "--preempt-within-quota",
        action="store_true",
        help="let a unit preempt lower-priority units of its own quota",
    )


def _data(tree: QuotaTree, result: AdmissionResult) -> dict[str, Any]:
    return {
        "admitted": [
            {
                "unit": unit.key,
                "quota": leaf_of(tree, unit),
                "priority": unit.priority,
                "request": quantities(unit.request),
            }
            for unit in result.admitted
        ],
        "preempted": [
            {
                "victim": item.victim.key,
                "quota": leaf_of(tree, item.victim),
                "preemptor": None if item.preemptor is None else item.preemptor.key,
                "reason": item.reason.value,
            }
            for item in result.preempted
        ],
        "pending": [
            {
                "unit": item.unit.key,
                "quota": leaf_of(tree, item.unit),
                "priority": item.unit.priority,
                "request": quantities(item.unit.request),
                "reason": item.reason.value,
                "detail": item.detail,
            }
            for item in result.pending
        ],
        "quotas": quota_rows(tree, _columns(result)),
    }


def _columns(result: AdmissionResult) -> dict[str, dict[str, Resources]]:
    """Usage and runtime per quota; usage names every resource its runtime names (0 included:
    the cycle's usage leaves zeros out)."""
    used: dict[str, Resources] = {}
    for name, runtime in result.runtime.items():
        usage = result.usage.get(name, Resources())
        used[name] = Resources({key: usage.get(key, 0) for key in {*runtime, *usage}})
    return {"used": used, "runtime": dict(result.runtime)}


def _report(title: str, tree: QuotaTree, result: AdmissionResult, data: dict[str, Any]) -> Report:
    admitted = data["admitted"]
    preempted = data["preempted"]
    pending = data["pending"]
    blocks: Sequence[Table | Text] = (
        Text(lines=(title,)),
        Table(
            title=f"Admitted ({len(admitted)})",
            columns=("unit", "quota", "priority", "request"),
            rows=[
                (
                    item["unit"],
                    item["quota"] or "-",
                    str(unit.priority),
                    resources_text(unit.request),
                )
                for item, unit in zip(admitted, result.admitted, strict=True)
            ],
        ),
        Table(
            title=f"Preempted ({len(preempted)})",
            columns=("victim", "quota", "preemptor", "reason"),
            rows=[
                (item["victim"], item["quota"] or "-", item["preemptor"] or "-", item["reason"])
                for item in preempted
            ],
        ),
        Table(
            title=f"Pending ({len(pending)})",
            columns=("unit", "quota", "reason", "detail"),
            rows=[
                (item["unit"], item["quota"] or "-", item["reason"], item["detail"])
                for item in pending
            ],
        ),
        quota_table("Quotas after the cycle", tree, _columns(result)),
    )
    return Report(blocks=tuple(blocks))


def _run(args: argparse.Namespace, out: TextIO) -> int:
    inputs = read_inputs(args.files)
    tree = read_tree(inputs)
    state = inputs.manifests.cluster_state
    running = () if state is None else state.running
    pending = inputs.manifests.units
    if not pending and not running:
        raise BadInput(f"{inputs.names}: no job (RayJob, Job, PyTorchJob or Pod) to admit")
    total, source = choose_total(args.total, inputs, tree)
    oversell = int(args.oversell) if args.oversell == int(args.oversell) else args.oversell
    result = admit(
        tree,
        pending,
        running=running,
        total=total,
        policy=args.policy,
        oversell=oversell,
        reclaim=args.reclaim,
        preempt_within_quota=args.preempt_within_quota,
    )
    skipped = inputs.skipped(_READS)
    if args.output is Format.TABLE:
        note_skipped(skipped, "admit")
    data: dict[str, Any] = {
        "files": list(inputs.files),
        "total": quantities(total),
        "total_from": source.value,
        "options": {
            "policy": choice(args.policy),
            "reclaim": choice(args.reclaim),
            "oversell": str(args.oversell),
            "preempt_within_quota": args.preempt_within_quota,
        },
        "running": [unit.key for unit in running],
        **_data(tree, result),
        "skipped": [item.data() for item in skipped],
    }
    title = (
        f"Admission of {len(pending)} pending and {len(running)} running unit(s) for a total "
        f"of {total_text(total, source)}"
    )
    emit(data, args.output, lambda: _report(title, tree, result, data), out)
    return EXIT_FINDINGS if result.pending else EXIT_OK


_COMMAND: Final = Command(
    name="admit",
    summary="one admission cycle: admitted, preempted and pending units with reasons",
    description=__doc__ or "",
    files="manifests holding a quota tree, jobs and a ClusterState (- for standard input)",
    add_arguments=_add_arguments,
    run=_run,
)
