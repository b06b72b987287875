"""cwrap-suite: a fake network, fake users and fake root for any dynamically
linked program, as a normal user, through three LD_PRELOAD shims."""

from ._libs import SHIMS, lib_path
from ._version import __version__
from .environment import Environment
from .errors import ConfigError, CwrapError, ShimNotFound, StateDirError
from .nss import NssConfig
from .socket import SocketConfig
from .uid import UidConfig

__all__ = [
    "SHIMS", "ConfigError", "CwrapError", "Environment", "NssConfig",
    "ShimNotFound", "SocketConfig", "StateDirError", "UidConfig",
    "__version__", "lib_path",
]
