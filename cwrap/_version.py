"""The one version string, shared with the shims (both come from VERSION)."""

from importlib import metadata
from pathlib import Path


def _read() -> str:
    try:
        return metadata.version("cwrap-suite")
    except metadata.PackageNotFoundError:
        source = Path(__file__).resolve().parent.parent / "VERSION"
        return source.read_text().strip() if source.exists() else "0+unknown"


__version__ = _read()
