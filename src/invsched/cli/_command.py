"""What every command shares: its description for the registry, errors, option parsers.

A command is a module of :mod:`invsched.cli` that defines ``_COMMAND``, a :class:`Command`:
its name, its help, how it adds its own options, and how it runs. The registry
(``invsched.cli._COMMANDS``) lists the modules; :func:`invsched.cli.main` adds the options
every command has (``-o``, ``--version``, the input files when the command reads any).
"""

from __future__ import annotations

import argparse
import enum
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Final, TextIO, TypeVar

import attrs

from invsched.errors import InvschedError
from invsched.resources import Resources, format_amount

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_BROKEN_PIPE",
    "EXIT_FINDINGS",
    "EXIT_OK",
    "BadInput",
    "Command",
    "choice",
    "decimal_option",
    "parse_enum",
    "quantities",
    "resources_option",
    "resources_text",
]

_E = TypeVar("_E", bound=enum.Enum)

EXIT_OK: Final = 0
EXIT_FINDINGS: Final = 1
EXIT_BAD_INPUT: Final = 2
#: 128 + SIGPIPE: what a shell reports for a program that a closed pipe stopped.
EXIT_BROKEN_PIPE: Final = 141


class BadInput(Exception):
    """Input that reads but that the command cannot use (exit status 2): the message is the
    whole one-line explanation, starting with the file it concerns."""


@attrs.frozen(kw_only=True)
class Command:
    """One ``invsched`` subcommand.

    Attributes:
        name: what follows ``invsched`` on the command line.
        summary: one line for ``invsched --help``.
        description: the paragraph of ``invsched NAME --help``.
        files: what the positional files hold (for ``--help``), or ``""`` for a command
            that reads no file.
        add_arguments: adds the command's own options to its parser.
        run: runs the command on the parsed arguments, writing to the stream; returns the
            exit status.
    """

    name: str
    summary: str
    description: str
    files: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, TextIO], int]


def choice(member: enum.Enum) -> str:
    """How the command line spells an enum member: its name in lower case, ``-`` for ``_``.

    Runtime complexity: O(len(name)).

    >>> from invsched.admission import Reclaim
    >>> choice(Reclaim.TO_RUNTIME)
    'to-runtime'
    """
    return member.name.lower().replace("_", "-")


def parse_enum(kind: type[_E]) -> Callable[[str], _E]:
    """An argparse ``type`` reading :func:`choice` spellings of ``kind``'s members; another
    spelling is an ``argparse.ArgumentTypeError`` listing the allowed ones.

    Runtime complexity: O(members) to build, O(1) per call.

    >>> from invsched.admission import QueuePolicy
    >>> parse_enum(QueuePolicy)("block")
    <QueuePolicy.BLOCK: 'Block'>
    """
    members = {choice(member): member for member in kind}

    def read(text: str) -> _E:
        try:
            return members[text]
        except KeyError:
            allowed = ", ".join(members)
            raise argparse.ArgumentTypeError(f"expected one of {allowed}, got {text!r}") from None

    read.__name__ = kind.__name__
    return read


def resources_option(text: str) -> Resources:
    """An argparse ``type`` for ``cpu=100,memory=50Gi,nvidia.com/gpu=16``.

    A pair without ``=``, a name given twice or a bad quantity is an
    ``argparse.ArgumentTypeError`` (a usage error, exit 2).

    Runtime complexity: O(len(text)).

    >>> resources_option("cpu=1.5,nvidia.com/gpu=2")
    Resources({'cpu': 1500, 'nvidia.com/gpu': 2000})
    """
    amounts: dict[str, str] = {}
    for item in text.split(","):
        name, equals, amount = item.partition("=")
        name, amount = name.strip(), amount.strip()
        if not equals or not name or not amount:
            raise argparse.ArgumentTypeError(
                f"expected RESOURCE=QUANTITY[,RESOURCE=QUANTITY...], got {text!r}"
            )
        if name in amounts:
            raise argparse.ArgumentTypeError(f"{name} is given twice in {text!r}")
        amounts[name] = amount
    try:
        return Resources.parse(amounts)
    except InvschedError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def quantities(amounts: Resources) -> dict[str, str]:
    """Amounts as canonical Kubernetes quantities, the way the JSON output shows them.

    Runtime complexity: O(resources).

    >>> quantities(Resources({"cpu": 1500, "memory": 2**31 * 1000}))
    {'cpu': '1500m', 'memory': '2Gi'}
    """
    return amounts.to_quantities()


def resources_text(amounts: Resources) -> str:
    """Amounts for one table cell: ``cpu=2, memory=2Gi`` (``-`` when there are none).

    Runtime complexity: O(resources).

    >>> resources_text(Resources({"cpu": 2000})), resources_text(Resources())
    ('cpu=2', '-')
    """
    return (
        ", ".join(f"{name}={format_amount(name, amount)}" for name, amount in amounts.items())
        or "-"
    )


def decimal_option(text: str) -> Decimal:
    """An argparse ``type`` for an exact, finite decimal number (``1.5``), never a float.

    Runtime complexity: O(len(text)).

    >>> decimal_option("1.25")
    Decimal('1.25')
    """
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"expected a decimal number, got {text!r}") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value
