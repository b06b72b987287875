"""A whole local stack from a TOML file: hosts, users, groups, services.

    domain = "shop.test"
    [users.app]                     # a made-up service account
    uid = 2000
    [files."nginx.conf"]            # rendered into the state directory
    template = "nginx.conf.in"
    [services.cache]
    host = "cache"                  # a fake host (made on first mention)
    command = ["redis-server", "--port", "6379"]
    ready = 6379                    # or ready = "tcp:6379", "udp:53", "log:REGEX"
    [services.app]
    host = "app"
    user = "app"                    # runs as that fake user (UID shim)
    command = ["python3", "${here}/app.py"]
    after = ["cache"]               # started once these are ready
    ready = 8000

Strings in commands, `cwd`, `env` values and templates may use (only in
this braced form; a bare $word is left alone) ${dir} (the state directory), ${here} (the TOML file's directory),
${hosts.NAME.ipv4}, ${hosts.NAME.ipv6}, ${hosts.NAME.fqdn},
${nginx_env} (the `env` lines nginx needs to keep the shims' variables) and
${sshd_setenv} (the `SetEnv` line sshd needs for its sessions).
"""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .environment import Environment
from .errors import ConfigError
from .programs import nginx_env_lines, sshd_setenv_line
from .services import Service


class _Template(string.Template):
    """Only ${name} is a placeholder: a bare $word stays as written, since
    the files rendered are often nginx or shell configurations."""

    pattern = (r"\$(?:(?P<escaped>\$)|\{(?P<braced>[a-z][a-z0-9_.\-]*)\}"
               r"|(?P<named>(?!))|(?P<invalid>(?!)))")


@dataclass
class ServiceSpec:
    name: str
    command: list[str]
    host: str | None = None
    user: str | None = None
    ready: str | None = None
    after: list[str] = field(default_factory=list)
    cwd: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    timeout: float = 20.0


@dataclass
class Stack:
    path: Path
    domain: str
    hosts: dict[str, int | None]
    users: dict[str, dict[str, Any]]
    groups: dict[str, dict[str, Any]]
    files: dict[str, str]
    services: list[ServiceSpec]

    @property
    def here(self) -> Path:
        return self.path.parent


def load(path: str | Path) -> Stack:
    path = Path(path).resolve()
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    known = {"domain", "hosts", "users", "groups", "files", "services"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(unknown)}; expected "
                          f"{', '.join(sorted(known))}")
    services = [_service(path, name, spec) for name, spec in data.get("services", {}).items()]
    if not services:
        raise ConfigError(f"{path}: no [services.NAME] tables")
    names = {s.name for s in services}
    for svc in services:
        missing = [a for a in svc.after if a not in names]
        if missing:
            raise ConfigError(f"{path}: service {svc.name} comes after unknown "
                              f"service(s) {', '.join(missing)}")
    files = {dest: spec["template"] for dest, spec in data.get("files", {}).items()}
    return Stack(path, data.get("domain", "cwrap.test"), dict(data.get("hosts", {})),
                 dict(data.get("users", {})), dict(data.get("groups", {})), files,
                 _ordered(path, services))


def _service(path: Path, name: str, spec: dict[str, Any]) -> ServiceSpec:
    if "command" not in spec or not isinstance(spec["command"], list) or not spec["command"]:
        raise ConfigError(f"{path}: service {name} needs command = [\"program\", ...]")
    allowed = {"command", "host", "user", "ready", "after", "cwd", "env", "timeout"}
    unknown = sorted(set(spec) - allowed)
    if unknown:
        raise ConfigError(f"{path}: service {name}: unknown key(s) {', '.join(unknown)}")
    ready = spec.get("ready")
    if isinstance(ready, int):
        ready = f"tcp:{ready}"
    if ready is not None and not (isinstance(ready, str) and
                                  ready.split(":", 1)[0] in ("tcp", "udp", "log")):
        raise ConfigError(f"{path}: service {name}: ready must be a port, \"tcp:PORT\", "
                          "\"udp:PORT\" or \"log:REGEX\"")
    return ServiceSpec(name, [str(a) for a in spec["command"]], spec.get("host"),
                       spec.get("user"), ready, list(spec.get("after", [])), spec.get("cwd"),
                       {str(k): str(v) for k, v in spec.get("env", {}).items()},
                       float(spec.get("timeout", 20.0)))


def _ordered(path: Path, services: list[ServiceSpec]) -> list[ServiceSpec]:
    """Services in an order where each comes after those it names."""
    done: list[ServiceSpec] = []
    pending = list(services)
    while pending:
        ready = [s for s in pending if all(a in {d.name for d in done} for a in s.after)]
        if not ready:
            cycle = ", ".join(s.name for s in pending)
            raise ConfigError(f"{path}: services {cycle} wait for each other in a cycle")
        done.extend(ready)
        pending = [s for s in pending if s not in ready]
    return done


class StackRunner:
    """Builds the environment of a Stack and starts its services."""

    def __init__(self, stack: Stack, env: Environment) -> None:
        self.stack = stack
        self.env = env
        self.started: list[tuple[ServiceSpec, Service]] = []

    def prepare(self) -> None:
        env, stack = self.env, self.stack
        for name, spec in stack.groups.items():
            env.add_group(name, spec.get("gid"), spec.get("members", []))
        for name, spec in stack.users.items():
            env.add_user(name, spec.get("uid"), spec.get("gid"),
                         home=spec.get("home"), shell=spec.get("shell", "/bin/sh"),
                         groups=spec.get("groups", []))
        for name, iface in stack.hosts.items():
            env.host(name, iface)
        for svc in stack.services:
            if svc.host:
                env.host(svc.host)
        for dest, template in stack.files.items():
            text = (stack.here / template).read_text()
            (env.dir / dest).write_text(self.render(text))

    def mapping(self) -> dict[str, str]:
        values = {"dir": str(self.env.dir), "here": str(self.stack.here),
                  "nginx_env": nginx_env_lines(self.env),
                  "sshd_setenv": sshd_setenv_line(self.env)}
        for host in self.env.hosts:
            for attr in ("ipv4", "ipv6", "fqdn"):
                values[f"hosts.{host.name}.{attr}"] = getattr(host, attr)
        return values

    def render(self, text: str) -> str:
        try:
            return _Template(text).substitute(self.mapping())
        except KeyError as exc:
            raise ConfigError(f"{self.stack.path}: unknown placeholder ${{{exc.args[0]}}}") from None
        except ValueError as exc:
            raise ConfigError(f"{self.stack.path}: {exc}") from None

    def start(self, **popen: Any) -> None:
        for svc in self.stack.services:
            argv = [self.render(a) for a in svc.command]
            kwargs: dict[str, Any] = dict(popen)
            if svc.host:
                kwargs["host"] = svc.host
            if svc.user:
                kwargs["as_user"] = svc.user
            if svc.cwd:
                kwargs["cwd"] = self.render(svc.cwd)
            if svc.env:
                kwargs["env"] = {k: self.render(v) for k, v in svc.env.items()}
            ready, ready_log = self._readiness(svc)
            service = self.env.spawn(argv, name=svc.name, ready=ready, ready_log=ready_log,
                                     timeout=svc.timeout, **kwargs)
            self.started.append((svc, service))

    def _readiness(self, svc: ServiceSpec) -> tuple[Any, str | None]:
        if svc.ready is None:
            return None, None
        kind, _, value = svc.ready.partition(":")
        if kind == "log":
            return None, value
        if not svc.host:
            raise ConfigError(f"{self.stack.path}: service {svc.name}: ready = port needs host")
        address = next(h.ipv4 for h in self.env.hosts if h.name == svc.host)
        return (address, int(value), kind), None

    def describe(self) -> list[str]:
        lines = []
        for svc, service in self.started:
            where = ""
            if svc.ready and not svc.ready.startswith("log:") and svc.host:
                host = next(h for h in self.env.hosts if h.name == svc.host)
                proto, _, port = svc.ready.partition(":")
                where = f"{proto} {host.fqdn} ({host.ipv4}) port {port}"
            elif svc.host:
                where = f"on {svc.host}"
            who = f", as {svc.user}" if svc.user else ""
            lines.append(f"{svc.name:<12} {where}{who}  pid {service.pid}, log "
                         f"{service.stdout_path.with_suffix('')}.{{out,err}}")
        return lines
