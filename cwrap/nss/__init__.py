"""The Python side of the NSS shim: its records, files and variables."""

from .config import NssConfig
from .files import write_atomically
from .records import Group, Host, User

__all__ = ["Group", "Host", "NssConfig", "User", "write_atomically"]
