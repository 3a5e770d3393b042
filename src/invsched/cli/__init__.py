"""The ``invsched`` command line: run the library's decisions on Kubernetes manifests.

One module per command (``validate``, ``runtime``, ``admit``, ``place``, ``size``, ``demo``),
each defining ``_COMMAND`` (a :class:`~invsched.cli._command.Command`); :data:`_COMMANDS`
lists them. Adding a command is one module and one name in that list. What the commands
share lives in private modules: reading files (``_input``), showing results (``_output``),
and the command record and option parsers (``_command``).

Every command reading files takes any number of them (``-`` for standard input) and finds
what it needs among them, in any split over files; what it does not read is listed as
skipped (on standard error for people, in the ``skipped`` list of ``-o json``).

Exit status:

* 0 — ok;
* 1 — findings: an invalid tree, pending or unplaced work, a model no instance type holds;
* 2 — the command could not do its job: bad input (a missing file, a directory, YAML that
  Kubernetes would refuse, a bad field), bad usage, or output that could not be written (a
  full disk); one line on standard error says why, never a traceback;
* 141 — standard output was closed early (``invsched demo | head -1``): the command stops
  quietly, as a program killed by ``SIGPIPE`` would (128 + 13).

Output is a table for people (rich on a terminal, a plain layout when piped), ``-o json`` or
``-o yaml`` for programs, with a JSON Schema per command in ``invsched/cli/schemas/``.
``python -m invsched.cli`` runs :func:`main` (see ``__main__.py``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Final, TextIO, cast

from invsched.cli._command import (
    EXIT_BAD_INPUT,
    EXIT_BROKEN_PIPE,
    EXIT_FINDINGS,
    EXIT_OK,
    BadInput,
    Command,
)
from invsched.cli._output import Format, one_line, to_stderr
from invsched.errors import InvschedError

__all__ = ["EXIT_BAD_INPUT", "EXIT_BROKEN_PIPE", "EXIT_FINDINGS", "EXIT_OK", "main"]

#: The commands, in the order ``invsched --help`` lists them: the modules of this package
#: that define ``_COMMAND``.
_COMMANDS: Final = ("validate", "runtime", "admit", "place", "size", "simulate", "demo")


def _version() -> str:
    from invsched import __version__  # noqa: PLC0415 (the facade imports every layer)

    return f"invsched {__version__}"


def _command(name: str) -> Command:
    # ``_COMMAND`` is private to the command line: no library user imports a command.
    module = importlib.import_module(f"invsched.cli.{name}")
    return cast("Command", module._COMMAND)


def _add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str) -> None:
    command = _command(name)
    parser = commands.add_parser(
        command.name,
        help=command.summary,
        description=command.description.replace("``", ""),  # reST literals read as plain
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if command.files:
        parser.add_argument("files", nargs="+", metavar="FILE", help=command.files)
    command.add_arguments(parser)
    parser.add_argument(
        "-o",
        "--output",
        type=Format,
        choices=list(Format),
        default=Format.TABLE,
        metavar="{table,json,yaml}",
        help="table for people (default), json or yaml for programs",
    )
    parser.add_argument("--version", action="version", version=_version())
    parser.set_defaults(run=command.run)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="invsched",
        description="Elastic GPU quotas, job admission and inventory-aware placement, "
        "decided on Kubernetes manifests.",
    )
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _COMMANDS:
        _add_command(commands, name)
    return parser


def _error(message: str) -> None:
    to_stderr(f"invsched: error: {one_line(message)}\n")


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
    errors (and ``--help``, ``--version``) exit through ``SystemExit``, with status 2 for a
    usage error.

    Runtime complexity: that of the command (validation: O(size of the files + nodes)).

    >>> main(["validate", "examples/elasticquotatree.yaml", "--profile", "ack-doc"])
    examples/elasticquotatree.yaml: valid under profile ack-doc
    0
    """
    stream = sys.stdout if out is None else out
    args = _parser().parse_args(argv)
    try:
        status: int = args.run(args, stream)
        stream.flush()
    except (InvschedError, BadInput) as error:
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
