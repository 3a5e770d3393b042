"""``invsched validate``: check a quota tree against a rule profile.

Reads the ``ElasticQuotaTree`` among the files and applies the rules of ``--profile``
(``koordinator`` by default, as Koordinator's webhook does; ``ack-doc`` reads ACK's guide
literally; ``strict`` adds the rules ACK states but does not enforce). Exit 1 when a rule is
broken. JSON schema: ``schemas/validate.json``.
"""

from __future__ import annotations

import argparse
from typing import Any, Final, TextIO

from invsched.cli._command import EXIT_FINDINGS, EXIT_OK, Command
from invsched.cli._input import note_skipped, read_inputs
from invsched.cli._output import Format, Report, Table, Text, emit
from invsched.cli._quota import read_tree
from invsched.quota.validation import Profile, ValidationReport, validate_tree

__all__: list[str] = []

#: The ``Manifests`` fields this command reads.
_READS: Final = frozenset({"quota_tree"})


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        choices=[profile.value for profile in Profile],
        default=Profile.KOORDINATOR.value,
        help="rule profile (default: koordinator)",
    )


def _report(file: str, report: ValidationReport) -> Report:
    profile = report.profile.value
    if report.ok:
        return Report(blocks=(Text(lines=(f"{file}: valid under profile {profile}",)),))
    table = Table(
        title=f"{file}: {len(report.violations)} violation(s) under profile {profile}",
        columns=("rule", "node", "resource", "message"),
        rows=[(v.rule.value, v.node, v.resource or "-", v.message) for v in report.violations],
    )
    return Report(blocks=(table,))


def _run(args: argparse.Namespace, out: TextIO) -> int:
    inputs = read_inputs(args.files)
    tree = read_tree(inputs)
    file = inputs.names
    report = validate_tree(tree, Profile(args.profile))
    skipped = inputs.skipped(_READS)
    if args.output is Format.TABLE:
        note_skipped(skipped, "validate")
    data: dict[str, Any] = {
        "files": list(inputs.files),
        "profile": report.profile.value,
        "ok": report.ok,
        "violations": [
            {"rule": v.rule.value, "node": v.node, "resource": v.resource, "message": v.message}
            for v in report.violations
        ],
        "skipped": [item.data() for item in skipped],
    }
    emit(data, args.output, lambda: _report(file, report), out)
    return EXIT_OK if report.ok else EXIT_FINDINGS


_COMMAND: Final = Command(
    name="validate",
    summary="check a quota tree against a rule profile",
    description=__doc__ or "",
    files="manifests holding an ElasticQuotaTree (- for standard input)",
    add_arguments=_add_arguments,
    run=_run,
)
