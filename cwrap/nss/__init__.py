"""The Python side of the NSS shim: its files and variables."""

from .config import NssConfig

__all__ = ["NssConfig"]
