"""The Python side of the socket shim: its configuration and variables."""

from .config import SocketConfig

__all__ = ["SocketConfig"]
