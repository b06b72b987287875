"""Keeping the shims in programs that rebuild their children's environment.

nginx clears its workers' environment but for the variables named by
`env` lines; sshd starts each session with a fresh environment, to which
`SetEnv` adds variables.  Without them the session's shell (or a worker's
helper program) runs without the shims.  These helpers write those lines
for an environment, so a configuration file can include them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .environment import Environment
    from .hosts import FakeHost


def shim_variables(env: Environment, host: FakeHost | None = None) -> dict[str, str]:
    """The variables a program in `env` (on `host`) needs, LD_PRELOAD included."""
    out = dict(env.variables)
    out["LD_PRELOAD"] = env.environ["LD_PRELOAD"]
    if host is not None:
        out.update(host.environ())
    return out


def nginx_env_lines(env: Environment) -> str:
    """`env NAME;` lines for nginx.conf's main context."""
    names = [*shim_variables(env), "SOCKET_WRAPPER_DEFAULT_IFACE", "NSS_WRAPPER_HOSTNAME"]
    return "".join(f"env {name};\n" for name in dict.fromkeys(names))


def sshd_setenv_line(env: Environment, host: FakeHost | None = None) -> str:
    """One `SetEnv` line for sshd_config: sessions keep the shims (and the
    server's host identity)."""
    variables = shim_variables(env, host)
    for name, value in variables.items():
        if any(c.isspace() or c == '"' for c in value):
            raise ValueError(f"{name}={value!r} cannot be written in a SetEnv line")
    return "SetEnv " + " ".join(f"{k}={v}" for k, v in variables.items()) + "\n"


def nginx_config(env: Environment, server: str, *, master_process: bool = True,
                 worker_processes: int = 2, worker_connections: int = 512) -> str:
    """A complete nginx.conf for a normal user in `env`: pid file, logs and
    temporary paths in the state directory, errors on stderr (run nginx
    with `-e stderr -p STATE_DIR`), the shims' `env` lines, and `server`
    (the body of one server block) as the only site."""
    d = env.dir
    return (f"daemon off;\nmaster_process {'on' if master_process else 'off'};\n"
            f"worker_processes {worker_processes};\npid {d}/nginx.pid;\n"
            "error_log stderr notice;\n" + nginx_env_lines(env) +
            f"events {{ worker_connections {worker_connections}; }}\n"
            "http {\n"
            f"    access_log {d}/access.log;\n"
            f"    client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;\n"
            f"    fastcgi_temp_path {d}/fcgi; uwsgi_temp_path {d}/uwsgi;\n"
            f"    scgi_temp_path {d}/scgi;\n"
            f"    server {{ {server} }}\n"
            "}\n")
