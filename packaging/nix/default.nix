# Nix expression for cwrap-suite:
#   nix-build -E 'with import <nixpkgs> {}; callPackage ./packaging/nix {}'
# REVIEWED ONLY, NOT BUILT IN CI (no nixpkgs offline on the CI machine).
# The shims install to $out/lib/cwrap-suite (unversioned, no SONAME: they
# are preloaded by path); the Python package records that directory, and
# the pkg-config and CMake files in $out/lib name it.
{ lib, python3Packages, gnumake }:

python3Packages.buildPythonPackage rec {
  pname = "cwrap-suite";
  version = "0.1.0";
  pyproject = true;

  src = lib.cleanSource ../..;

  build-system = [ python3Packages.setuptools python3Packages.wheel ];
  dependencies = [ python3Packages.click python3Packages.cffi ];
  nativeBuildInputs = [ gnumake ];

  env.CWRAP_SYSTEM_LIBDIR = "${placeholder "out"}/lib/cwrap-suite";

  postBuild = ''
    make -C csrc BUILD=$PWD/build-shims WARNINGS="-Wall -Wextra" VERSION=${version}
  '';

  postInstall = ''
    make -C csrc install BUILD=$PWD/build-shims VERSION=${version} \
      PREFIX=$out SHIMDIR=$out/lib/cwrap-suite
    install -Dm644 man/cwrap.1 $out/share/man/man1/cwrap.1
  '';

  # The project's suite needs real servers and an unprivileged user; the
  # shims are preloaded into a real program instead.
  doCheck = false;
  doInstallCheck = true;
  installCheckPhase = ''
    test "$(LD_PRELOAD=$out/lib/cwrap-suite/libcwrap_uid.so UID_WRAPPER=1 UID_WRAPPER_ROOT=1 id -u)" = 0
    $out/bin/cwrap --version | grep -F ${version}
  '';

  pythonImportsCheck = [ "cwrap" ];

  meta = {
    description = "Run client/server stacks in a fake world (network, users, root) as a normal user";
    homepage = "https://cwrap.invalid/cwrap-suite";
    license = lib.licenses.bsd3;
    platforms = lib.platforms.linux;
    mainProgram = "cwrap";
  };
}
