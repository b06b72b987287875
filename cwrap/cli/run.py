"""`cwrap run [options] -- CMD ARGS...`"""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import CwrapError
from ..supervise import EXIT_CWRAP_ERROR, CommandError, fail, run_foreground
from .options import build_environment, environment_options


@click.command(context_settings={"ignore_unknown_options": True,
                                 "allow_interspersed_args": False})
@environment_options
@click.option("--keep/--no-keep", default=None,
              help="Keep the state directory (default: only when the command fails).")
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def run(command: tuple[str, ...], **options: Any) -> None:
    """Run COMMAND in a fake world; exit with its status.

    With no --socket/--nss/--uid, all three shims are used.  The exit
    status is the command's, 128+N when it dies of signal N, 125 when cwrap
    itself fails, 126 when COMMAND cannot be executed, 127 when it is not
    found.
    """
    sys.exit(_run(list(command), options))


def _run(command: list[str], options: dict[str, Any]) -> int:
    try:
        env = build_environment(**options)
        env.start()
    except CwrapError as exc:
        return fail(str(exc))
    status = EXIT_CWRAP_ERROR
    try:
        status = run_foreground(command, env.environ, grace=env.grace)
    except CommandError as exc:
        status = fail(str(exc), exc.status)
        return status
    except CwrapError as exc:
        return fail(str(exc))
    finally:
        # A command that could not even start leaves nothing worth keeping.
        started = status not in (126, 127)
        env.close(failed=started and status != 0)
    return status
