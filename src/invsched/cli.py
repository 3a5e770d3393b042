"""The ``invsched`` command line: run the library's decisions on manifests.

Exit status: 0 ok, 1 findings (an invalid tree, an unschedulable workload), 2 bad input or
usage. Output is a human table by default, ``-o json`` or ``-o yaml`` for machines.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from invsched.errors import InvschedError
from invsched.manifests import load
from invsched.quota.validation import Profile, ValidationReport, validate_tree

__all__ = ["main"]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2


def _emit(data: Any, output: str, table: Callable[[], str], out: TextIO) -> None:
    if output == "json":
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    elif output == "yaml":
        import yaml  # noqa: PLC0415 (optional dependency)

        out.write(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    else:
        out.write(table())


def _report_data(path: str, report: ValidationReport) -> dict[str, Any]:
    return {
        "file": path,
        "profile": report.profile.value,
        "ok": report.ok,
        "violations": [
            {"rule": v.rule.value, "node": v.node, "resource": v.resource, "message": v.message}
            for v in report.violations
        ],
    }


def _report_table(path: str, report: ValidationReport) -> str:
    if report.ok:
        return f"{path}: valid under profile {report.profile.value}\n"
    lines = [
        f"{path}: {len(report.violations)} violation(s) under profile {report.profile.value}",
        f"{'RULE':<32} {'NODE':<16} {'RESOURCE':<16} MESSAGE",
    ]
    lines.extend(
        f"{v.rule.value:<32} {v.node:<16} {v.resource or '-':<16} {v.message}"
        for v in report.violations
    )
    return "\n".join(lines) + "\n"


def _cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    manifests = load(args.file)
    if manifests.quota_tree is None:
        raise _UsageError(f"{args.file}: no ElasticQuotaTree document")
    report = validate_tree(manifests.quota_tree, Profile(args.profile))
    _emit(
        _report_data(args.file, report),
        args.output,
        lambda: _report_table(args.file, report),
        out,
    )
    return EXIT_OK if report.ok else EXIT_FINDINGS


def _cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from invsched.demo import render, run_demo  # noqa: PLC0415 (loads the placement catalog)

    data = run_demo()
    _emit(data, args.output, lambda: render(data), out)
    return EXIT_OK


class _UsageError(Exception):
    """Input that is readable but unusable for the command (exit status 2)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="invsched",
        description="Elastic GPU quotas, job admission and inventory-aware placement.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser("demo", help="run the seed scenarios end to end (no files needed)")
    demo.add_argument("-o", "--output", choices=["table", "json", "yaml"], default="table")
    demo.set_defaults(run=_cmd_demo)
    validate = commands.add_parser("validate", help="validate an ElasticQuotaTree manifest")
    validate.add_argument("file", help="a YAML file holding one ElasticQuotaTree")
    validate.add_argument(
        "--profile",
        choices=[profile.value for profile in Profile],
        default=Profile.KOORDINATOR.value,
        help="rule profile (default: koordinator)",
    )
    validate.add_argument("-o", "--output", choices=["table", "json", "yaml"], default="table")
    validate.set_defaults(run=_cmd_validate)
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the command line; return the exit status.

    >>> main(["validate", "examples/elasticquotatree.yaml", "--profile", "ack-doc"])
    examples/elasticquotatree.yaml: valid under profile ack-doc
    0
    """
    stream = sys.stdout if out is None else out
    args = _parser().parse_args(argv)
    try:
        status: int = args.run(args, stream)
    except (InvschedError, _UsageError) as error:
        sys.stderr.write(f"invsched: error: {error}\n")
        return EXIT_BAD_INPUT
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
