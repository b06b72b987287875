"""The `cwrap` command: a thin click layer over cwrap's Python API."""

from __future__ import annotations

import os
import sys

import click

from .._version import __version__
from ..supervise import fail
from .doctor import doctor
from .env import env
from .lib import lib
from .pcap import pcap
from .run import run
from .shell import shell
from .up import up


@click.group(context_settings={"help_option_names": ["-h", "--help"]},
             invoke_without_command=True)
@click.version_option(__version__, prog_name="cwrap", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Run programs in a fake world: network, users, hosts and root.

    Everything works as a normal user; nothing on the machine changes.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


cli.add_command(run)
cli.add_command(env)
cli.add_command(lib)
cli.add_command(doctor)
cli.add_command(shell)
cli.add_command(up)
cli.add_command(pcap)


def main() -> None:
    """Entry point: every failure of cwrap itself is one line on stderr and
    exit status 125, as env(1) does, so it cannot be mistaken for the
    wrapped command's own status."""
    try:
        cli(prog_name="cwrap", standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        sys.exit(fail(f"{exc.format_message()}{hint}"))
    except click.ClickException as exc:
        sys.exit(fail(exc.format_message()))
    except Exception as exc:  # noqa: BLE001 - the promise is: never a traceback
        if os.environ.get("CWRAP_TRACEBACK"):
            raise
        sys.exit(fail(f"internal error: {exc!r} (set CWRAP_TRACEBACK=1 for details; "
                      "please report it)"))
