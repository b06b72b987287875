"""`cwrap doctor [CMD]`"""

from __future__ import annotations

import sys

import click

from .. import doctor as checks


@click.command()
@click.argument("command", required=False)
def doctor(command: str | None) -> None:
    """Check that the shims work here, whether the namespace backend can,
    and whether COMMAND can be wrapped.

    Exits 0 when everything checked is fine (warnings included), 1 otherwise.
    """
    findings = checks.check_shims() + [checks.check_state_base(), checks.check_namespaces()]
    if command:
        findings += checks.check_program(command)
    for finding in findings:
        click.echo(finding.line())
    sys.exit(0 if all(f.ok for f in findings) else 1)
