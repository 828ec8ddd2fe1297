"""The few Linux system calls the sandbox needs that the standard library lacks (before Python 3.12), via ctypes.

Each raises OSError with the kernel's errno, so a missing feature (e.g. a kernel without PID namespaces, or a
seccomp profile that forbids unshare) surfaces as a clear message instead of a weaker sandbox.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from typing import Optional

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2

PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38

_libc = None  # type: Optional[ctypes.CDLL]


def _c() -> ctypes.CDLL:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return _libc


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, "%s: %s" % (what, os.strerror(errno)))


def unshare(flags: int) -> None:
    _check(_c().unshare(ctypes.c_int(flags)), "unshare(0x%x)" % flags)


def mount(source: str, target: str, fstype: Optional[str], flags: int = 0, data: Optional[str] = None) -> None:
    _check(
        _c().mount(
            source.encode(),
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        "mount %s on %s" % (fstype or source, target),
    )


def umount(target: str, flags: int = 0) -> None:
    _check(_c().umount2(target.encode(), ctypes.c_int(flags)), "umount %s" % target)


def prctl(option: int, value: int) -> None:
    _check(_c().prctl(ctypes.c_int(option), ctypes.c_ulong(value), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)), "prctl(%d)" % option)
