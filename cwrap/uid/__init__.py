"""The Python side of the UID shim."""

from .config import UidConfig, parse_identity

__all__ = ["UidConfig", "parse_identity"]
