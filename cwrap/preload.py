"""Composing LD_PRELOAD.

Our shims are prepended to whatever the caller already preloads, so other
preloads keep working; a sanitizer runtime stays first because ASan and
friends refuse to run when another library is loaded before them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_SANITIZER = re.compile(r"(^|/)lib(asan|hwasan|tsan|msan|ubsan|lsan)\.so|"
                        r"(^|/)libclang_rt\.[a-z]+san")


def split_preload(value: str | None) -> list[str]:
    """Entries of an LD_PRELOAD value (ld.so accepts spaces and colons)."""
    if not value:
        return []
    return [item for item in re.split(r"[\s:]+", value) if item]


def is_sanitizer_runtime(entry: str) -> bool:
    return bool(_SANITIZER.search(entry))


def compose_preload(ours: Iterable[str], existing: str | None) -> str:
    """LD_PRELOAD with `ours` first, after any sanitizer runtime, without
    duplicates (a nested `cwrap run` must not load a shim twice)."""
    ours = list(ours)
    current = split_preload(existing)
    sanitizers = [e for e in current if is_sanitizer_runtime(e)]
    rest = [e for e in current if not is_sanitizer_runtime(e) and e not in ours]
    ordered = sanitizers + ours + rest
    seen: set[str] = set()
    unique = [e for e in ordered if not (e in seen or seen.add(e))]
    return ":".join(unique)
