"""The Python side of the socket shim: its configuration, the fake address
plan, and waiting for a fake address to listen."""

from .capture import Capture, CaptureError, Flow, Packet, read_capture
from .addresses import Endpoint, iface_of, ipv4_of, ipv6_of
from .config import SocketConfig
from .wait import wait_for

__all__ = ["Capture", "CaptureError", "Flow", "Packet", "read_capture", "Endpoint", "SocketConfig", "iface_of", "ipv4_of", "ipv6_of", "wait_for"]
