"""`cwrap run [options] -- CMD ARGS...`"""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import CwrapError
from ..join import joined_environ
from ..supervise import EXIT_CWRAP_ERROR, CommandError, fail, run_foreground
from .options import BACKEND_OPTION, build_environment, environment_options


@click.command(context_settings={"ignore_unknown_options": True,
                                 "allow_interspersed_args": False})
@environment_options
@BACKEND_OPTION
@click.option("--keep/--no-keep", default=None,
              help="Keep the state directory (default: only when the command fails).")
@click.option("--join", "join_dir", type=click.Path(file_okay=False, exists=True),
              help="Run in the running environment whose state directory this is.")
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def run(command: tuple[str, ...], **options: Any) -> None:
    """Run COMMAND in a fake world; exit with its status.

    With no --socket/--nss/--uid, all three shims are used.  With
    --backend namespaces the command runs in a user, network and mount
    namespace instead (docs/namespaces.md).  The exit
    status is the command's, 128+N when it dies of signal N, 125 when cwrap
    itself fails, 126 when COMMAND cannot be executed, 127 when it is not
    found.
    """
    sys.exit(_run(list(command), options))


def _run(command: list[str], options: dict[str, Any]) -> int:
    join_dir = options.pop("join_dir")
    if join_dir is not None:
        return _run_joined(command, join_dir)
    try:
        env = build_environment(**options)
        env.start()
    except CwrapError as exc:
        return fail(str(exc))
    status, ran = EXIT_CWRAP_ERROR, False
    try:
        environ, enter = env.command_setup(command)
        status = run_foreground(command, environ, grace=env.grace, enter=enter)
        ran = True
    except CommandError as exc:
        status = fail(str(exc), exc.status)
    except CwrapError as exc:
        status = fail(str(exc))
    finally:
        # A command that could not even start leaves nothing worth keeping.
        env.close(failed=ran and status != 0)
    return status


def _run_joined(command: list[str], join_dir: str) -> int:
    """In someone else's environment: nothing to create or clean up."""
    try:
        return run_foreground(command, joined_environ(join_dir))
    except CommandError as exc:
        return fail(str(exc), exc.status)
    except CwrapError as exc:
        return fail(str(exc))
