"""Joining a running environment from another terminal (like fakeroot's
saved state): its state directory holds environ.json, written when it
started, with its variables and shims."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from .errors import CwrapError
from .preload import compose_preload


def joined_environ(state_dir: str | os.PathLike[str],
                   base: Mapping[str, str] | None = None) -> dict[str, str]:
    """`base` (default: this process's environment) with the variables and
    preloads of the environment whose state directory is `state_dir`."""
    path = Path(state_dir) / "environ.json"
    try:
        data = json.loads(path.read_text())
        variables, preload = dict(data["variables"]), list(data["preload"])
    except FileNotFoundError:
        raise CwrapError(f"{state_dir} is not a cwrap state directory (no environ.json): "
                         "give the directory a running environment printed or $CWRAP_DIR "
                         "from inside it") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CwrapError(f"cannot read {path}: {exc}") from None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in variables.items()):
        raise CwrapError(f"{path} is malformed: variables must be strings")
    out = dict(os.environ if base is None else base)
    out.update(variables)
    out["LD_PRELOAD"] = compose_preload(preload, out.get("LD_PRELOAD"))
    return out
