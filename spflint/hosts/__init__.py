"""DNS-host registry, nameserver detection and publishing instructions for SPF records."""

from __future__ import annotations

from .detect import Detection, detect
from .instructions import Instructions, render
from .model import Host, HostFormatError, PublishedRecord
from .registry import get, hosts

__all__ = [
    "Detection",
    "Host",
    "HostFormatError",
    "Instructions",
    "PublishedRecord",
    "detect",
    "get",
    "hosts",
    "render",
]
