#!/usr/bin/env bash
# Runs the whole test suite: the C-level tests (plain and under
# ASan/UBSan) and the pytest suite, which drives real programs as an
# unprivileged user.  Extra arguments go to pytest (e.g. -k, -x, -n 2).
set -euo pipefail
. "$(dirname "$0")/venv.sh"
cd "$here"
exec "$venv/bin/pytest" "$@"
