#!/usr/bin/env bash
# The main job: a fake world shown end to end, as a normal user.
set -euo pipefail
. "$(dirname "$0")/venv.sh"
exec "$venv/bin/python" "$here/scripts/demo.py"
