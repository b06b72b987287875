"""The Python side of the UID shim."""

from .config import UidConfig

__all__ = ["UidConfig"]
