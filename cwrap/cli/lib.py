"""`cwrap lib SHIM`: where a shim library is."""

from __future__ import annotations

import click

from .._libs import SHIMS, lib_path
from ..errors import CwrapError


@click.command()
@click.argument("shim", type=click.Choice(SHIMS))
def lib(shim: str) -> None:
    """Print the absolute path of SHIM's library (for LD_PRELOAD)."""
    try:
        click.echo(str(lib_path(shim)))
    except CwrapError as exc:
        raise click.ClickException(str(exc)) from exc
