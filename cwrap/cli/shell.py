"""`cwrap shell DIR`: a shell inside a running environment."""

from __future__ import annotations

import os

import click

from ..errors import CwrapError
from ..join import joined_environ


@click.command()
@click.argument("state_dir", type=click.Path(file_okay=False, exists=True))
def shell(state_dir: str) -> None:
    """Open $SHELL inside the environment whose state directory is STATE_DIR
    (printed by `cwrap run --keep`, or $CWRAP_DIR inside it)."""
    try:
        environ = joined_environ(state_dir)
    except CwrapError as exc:
        raise click.ClickException(str(exc)) from exc
    program = os.environ.get("SHELL") or "/bin/sh"
    os.execvpe(program, [program], environ)
