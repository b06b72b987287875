"""Interface enumeration, syscall(), and the socket probes under
AddressSanitizer + UndefinedBehaviorSanitizer."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import cwrap
from conftest import REPO


def shim_env(env, iface=20, lib=None):
    return {**env.variables, "LD_PRELOAD": str(lib or cwrap.lib_path("socket")),
            "SOCKET_WRAPPER_DEFAULT_IFACE": str(iface)}


def test_interfaces_show_only_the_fake_host(probes, run_user, make_env):
    env = make_env(socket=True, nss=False, uid=False)
    result = run_user([str(probes("socket_ifaces_probe"))], env=shim_env(env, 20))
    assert result.stdout.splitlines() == [
        "ifaddr cwrap20 127.0.0.20",
        "ifaddr cwrap20 fd00::5357:5f14",
        "nameindex 20 cwrap20",
        "ifconf cwrap20 127.0.0.20",
        "nametoindex 20",
    ], result.stderr
    plain = run_user([str(probes("socket_ifaces_probe"))])
    assert "ifaddr lo 127.0.0.1" in plain.stdout      # the real view, without the shim


def test_dual_stack_ipv6_like_the_kernel(run_user, make_env, shared_tmp):
    """An IPv6 socket bound to [::] (no IPV6_V6ONLY) also takes IPv4
    clients, shows them v4-mapped, and holds the IPv4 port too."""
    probe = shared_tmp / "dual.py"
    probe.write_text((Path(__file__).parent / "dual_stack_probe.py").read_text())
    real = run_user(["/usr/bin/python3", str(probe), "127.0.0.1"])
    env = make_env(socket=True, nss=False, uid=False)
    fake = run_user(["/usr/bin/python3", str(probe), "127.0.0.20"], env=shim_env(env, 20))
    assert real.returncode == 0 and fake.returncode == 0, real.stderr + fake.stderr
    assert fake.stdout == real.stdout
    assert "('v4bind', 'EADDRINUSE')" in fake.stdout and "('v6only', 'ECONNREFUSED')" in fake.stdout


BINDRESVPORT = """
import ctypes, socket, struct
libc = ctypes.CDLL(None, use_errno=True)
s = socket.socket()
sin = ctypes.create_string_buffer(struct.pack("=HH4s8x", socket.AF_INET, 0,
                                              socket.inet_aton("127.0.0.10")), 16)
rc = libc.bindresvport(s.fileno(), sin)
print(rc, ctypes.get_errno() if rc else s.getsockname()[1] in range(600, 1024))
"""


def test_bindresvport_gets_a_reserved_port(run_user, make_env):
    env = make_env(socket=True, nss=False, uid=False)
    result = run_user(["/usr/bin/python3", "-c", BINDRESVPORT], env=shim_env(env, 10))
    assert result.stdout == "0 True\n", result.stderr
    plain = run_user(["/usr/bin/python3", "-c", BINDRESVPORT])
    assert plain.stdout.split()[0] == "-1"                  # a normal user cannot


@pytest.fixture(scope="module")
def asan_shim():
    """The socket shim built with ASan+UBSan, and the runtimes to preload."""
    build = Path(tempfile.mkdtemp(prefix="cwasan-"))
    subprocess.run(["make", "-C", str(REPO / "csrc"), f"BUILD={build}",
                    "SANITIZE=address,undefined"], check=True, capture_output=True)
    build.chmod(0o755)
    runtimes = [subprocess.run(["cc", f"-print-file-name={name}"], capture_output=True,
                               text=True, check=True).stdout.strip()
                for name in ("libasan.so", "libubsan.so")]
    yield build / "libcwrap_socket.so", runtimes
    shutil.rmtree(build, ignore_errors=True)


@pytest.mark.parametrize("probe,args", [
    ("socket_probe", ["127.0.0.10", "127.0.0.20", "80", "v4"]),
    ("socket_probe", ["fd00::5357:5f0a", "fd00::5357:5f14", "80", "v6"]),
    ("socket_paths_probe", ["80"]),
    ("socket_ifaces_probe", []),
])
def test_probes_clean_under_sanitizers(asan_shim, probes, run_user, make_env, probe, args):
    lib, runtimes = asan_shim
    env = make_env(socket=True, nss=False, uid=False)
    variables = shim_env(env, 20, lib)
    variables["LD_PRELOAD"] = " ".join([*runtimes, str(lib)])
    variables["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0:exitcode=99"
    variables["UBSAN_OPTIONS"] = "halt_on_error=1:exitcode=98"
    result = run_user([str(probes(probe)), *args], env=variables, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "failed" not in result.stdout.replace("0 failed", "") and "died" not in result.stdout
    assert "cannot be preloaded" not in result.stderr
    assert "ERROR: AddressSanitizer" not in result.stderr
    assert "runtime error" not in result.stderr
