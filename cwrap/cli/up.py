"""`cwrap up STACK.toml`: a whole local stack, until Ctrl-C."""

from __future__ import annotations

import signal
import sys
import time
from typing import Any

import click

from .. import stack as stacks
from ..environment import Environment
from ..errors import CwrapError
from ..supervise import fail


@click.command()
@click.argument("stack_file", type=click.Path(dir_okay=False))
@click.option("--keep/--no-keep", default=None,
              help="Keep the state directory (default: only when something failed).")
@click.option("--debug", metavar="LEVEL", help="Shim log level.")
def up(stack_file: str, keep: bool | None, debug: str | None) -> None:
    """Start the hosts, users and services of STACK_FILE as a normal user,
    print where each listens, and tear everything down on Ctrl-C (or
    SIGTERM)."""
    sys.exit(_up(stack_file, keep, debug))


def _up(stack_file: str, keep: bool | None, debug: str | None) -> int:
    def on_signal(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        stack = stacks.load(stack_file)
        env = Environment(domain=stack.domain, keep=keep, debug=debug)
        env.start()
    except CwrapError as exc:
        return fail(str(exc))
    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGHUP)}
    failed = False
    try:
        runner = stacks.StackRunner(stack, env)
        runner.prepare()
        runner.start()
        for line in runner.describe():
            click.echo(line)
        click.echo(f"cwrap up: all {len(runner.started)} services ready; state directory "
                   f"{env.dir}")
        click.echo(f"cwrap up: join with `cwrap shell {env.dir}`; Ctrl-C stops everything",
                   nl=True)
        sys.stdout.flush()
        while True:
            dead = [s for s in env.services.values() if s.returncode is not None]
            if dead:
                failed = True
                click.echo(f"cwrap up: service {dead[0].name} exited with status "
                           f"{dead[0].returncode}; stopping", err=True)
                return 1
            time.sleep(0.2)
    except KeyboardInterrupt:
        click.echo("cwrap up: stopping", err=True)
        return 0
    except CwrapError as exc:
        failed = True
        return fail(str(exc))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        env.close(failed=failed)
