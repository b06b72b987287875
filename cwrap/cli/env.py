"""`cwrap env`: the variables to enter a fake world by hand."""

from __future__ import annotations

import json
import os
import shlex
from typing import Any

import click

from ..errors import CwrapError
from .options import build_environment, environment_options


def _sh(variables: dict[str, str]) -> str:
    return "".join(f"export {k}={shlex.quote(v)}\n" for k, v in variables.items())


def _fish(variables: dict[str, str]) -> str:
    def quote(v: str) -> str:
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return "".join(f"set -gx {k} {quote(v)}\n" for k, v in variables.items())


@click.command()
@environment_options
@click.option("--shell", "shell", type=click.Choice(["sh", "fish", "json"]), default="sh",
              show_default=True, help="Syntax of the output.")
def env(shell: str, **options: Any) -> None:
    """Print the variables of a new fake world, to eval in a shell.

        eval "$(cwrap env --socket)"

    The state directory is created now and kept: remove it ($CWRAP_DIR)
    when done.  LD_PRELOAD is composed with the current one.
    """
    try:
        environment = build_environment(keep=True, **options)
        environment.start()
        variables = environment.variables
        variables["LD_PRELOAD"] = environment.compose(os.environ)["LD_PRELOAD"]
    except CwrapError as exc:
        raise click.ClickException(str(exc)) from exc
    environment.detach()      # the directory outlives this command on purpose
    if shell == "json":
        click.echo(json.dumps(variables, indent=2, sort_keys=True))
    elif shell == "fish":
        click.echo(_fish(variables), nl=False)
    else:
        click.echo(_sh(variables), nl=False)
