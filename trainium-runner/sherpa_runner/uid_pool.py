"""A fresh uid for every run, from a reserved range, so no run can see, signal, ptrace or `pidfd_getfd` another.

The range (61000–61999 by default) has no passwd entries; the metadata block's owner-match rules cover it as a
whole (metadata_block.py). A uid is held with an exclusive `flock` on its lock file for as long as the run
lasts, so two runners on one host never share one, and a crashed runner's uid frees itself. A uid that still
owns a process (a leftover the kernel has not finished killing) or that names a real user is skipped.
"""

from __future__ import annotations

import fcntl
import os
import pwd
from typing import Optional, Tuple

UID_FIRST = 61000
UID_LAST = 61999
LOCK_DIR = "/run/sherpa-runner/uid-locks"


class NoFreeUid(RuntimeError):
    """Every uid of the range is in use."""


def uid_range_text(first: int = UID_FIRST, last: int = UID_LAST) -> str:
    return "%d-%d" % (first, last)


def _uids_with_processes() -> set:
    owners = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            owners.add(os.stat("/proc/" + entry).st_uid)
        except OSError:
            continue
    return owners


def _is_real_user(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
        return True
    except KeyError:
        return False


class UidLease:
    def __init__(self, uid: int, fd: int):
        self.uid = uid
        self.gid = uid
        self._fd = fd  # type: Optional[int]

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def allocate(lock_dir: str = LOCK_DIR, first: int = UID_FIRST, last: int = UID_LAST) -> UidLease:
    os.makedirs(lock_dir, mode=0o700, exist_ok=True)
    busy = _uids_with_processes()
    for uid in range(first, last + 1):
        if uid in busy or _is_real_user(uid):
            continue
        fd = os.open(os.path.join(lock_dir, "%d.lock" % uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        # Checked again under the lock: a run that held it may have just ended with a process still dying.
        if uid in _uids_with_processes():
            os.close(fd)
            continue
        return UidLease(uid, fd)
    raise NoFreeUid("all sandbox uids %s are in use" % uid_range_text(first, last))


def parse_range(text: str) -> Tuple[int, int]:
    first, _, last = text.partition("-")
    low, high = int(first), int(last or first)
    if low <= 0 or high < low:
        raise ValueError("bad uid range %r" % text)
    return low, high
