"""The ``invsched`` command line: run the library's decisions on manifests.

Exit status:

* 0 — ok;
* 1 — findings (an invalid tree);
* 2 — the command could not do its job: bad input (a missing file, a directory, YAML that
  Kubernetes would refuse, a bad field), bad usage, or output that could not be written (a
  full disk); one line on standard error says why, never a traceback;
* 141 — standard output was closed early (``invsched demo | head -1``): the command stops
  quietly, as a program killed by ``SIGPIPE`` would (128 + 13).

Output is a human table by default, ``-o json`` or ``-o yaml`` for machines. ``FILE`` may be
``-`` for standard input (``kubectl get elasticquotatree -o yaml | invsched validate -``).

The package holds the command line and what only the command line uses: the demo
(:mod:`invsched.cli.demo`), which is not part of the library's public modules.
``python -m invsched.cli`` runs :func:`main` (see ``__main__.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, Final, TextIO

from invsched.errors import InvschedError
from invsched.manifests import STDIN, load_file
from invsched.quota.validation import Profile, ValidationReport, validate_tree

__all__ = ["EXIT_BAD_INPUT", "EXIT_BROKEN_PIPE", "EXIT_FINDINGS", "EXIT_OK", "main"]

EXIT_OK: Final = 0
EXIT_FINDINGS: Final = 1
EXIT_BAD_INPUT: Final = 2
#: 128 + SIGPIPE: what a shell reports for a program that a closed pipe stopped.
EXIT_BROKEN_PIPE: Final = 141


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


def _one_line(text: str) -> str:
    """``text`` with every control character escaped, so a message stays one line."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def _cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    path: str = args.file
    shown = STDIN if path == "-" else _one_line(path)
    manifests = load_file(path)
    if manifests.quota_tree is None:
        raise _UsageError(f"{shown}: no ElasticQuotaTree document")
    report = validate_tree(manifests.quota_tree, Profile(args.profile))
    _emit(_report_data(shown, report), args.output, lambda: _report_table(shown, report), out)
    return EXIT_OK if report.ok else EXIT_FINDINGS


def _cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from invsched.cli.demo import render, run_demo  # noqa: PLC0415 (loads the placement catalog)

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
    validate.add_argument(
        "file", help="a YAML file holding one ElasticQuotaTree, or - for standard input"
    )
    validate.add_argument(
        "--profile",
        choices=[profile.value for profile in Profile],
        default=Profile.KOORDINATOR.value,
        help="rule profile (default: koordinator)",
    )
    validate.add_argument("-o", "--output", choices=["table", "json", "yaml"], default="table")
    validate.set_defaults(run=_cmd_validate)
    return parser


def _error(message: str) -> None:
    try:
        sys.stderr.write(f"invsched: error: {_one_line(message)}\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # nowhere left to report to
        pass


def _discard_stdout(stream: TextIO) -> None:
    """Point file descriptor 1 at ``/dev/null`` after a failed write to standard output.

    What the failed write left in the buffer is flushed again when the interpreter exits;
    without this, that flush fails too and prints a traceback-like "Exception ignored".
    """
    if stream is not sys.stdout:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # not a real file (a test's capture): nothing to protect
        pass


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the command line; return the exit status (see the module docstring).

    Args:
        argv: the arguments after the program name (default: ``sys.argv[1:]``).
        out: where the output goes (default: standard output).

    Bad input and write errors are reported on standard error in one line; argparse's usage
    errors exit with status 2 through ``SystemExit``.

    Runtime complexity: that of the command (validation: O(size of the file + nodes)).

    >>> main(["validate", "examples/elasticquotatree.yaml", "--profile", "ack-doc"])
    examples/elasticquotatree.yaml: valid under profile ack-doc
    0
    """
    stream = sys.stdout if out is None else out
    args = _parser().parse_args(argv)
    try:
        status: int = args.run(args, stream)
        stream.flush()
    except (InvschedError, _UsageError) as error:
        _error(str(error))
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # The reader went away (`| head -1`): nobody is left to tell; stop quietly.
        _discard_stdout(stream)
        return EXIT_BROKEN_PIPE
    except (OSError, UnicodeEncodeError) as error:
        _discard_stdout(stream)
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        _error(f"cannot write the output: {reason}")
        return EXIT_BAD_INPUT
    return status
