"""The per-search Neuron compile cache (issue 13, item 5): one folder per (paper, compileCacheKey), owned by the
runner and lent to one run at a time.

A compile cache is a channel between runs: whatever one run leaves there, the next run that hits the same graph
loads and executes. So it is shared only between runs of ONE search (one paper, one approval), never across keys:

- the folder is `<work root>/compile-cache/<sha256(paperId NUL key)>`; the key is validated like the job schema
  and never used as a path; the root is root's, mode 0700, so no sandbox uid can reach another key's folder;
- a run gets the folder bind-mounted at `SANDBOX_CACHE` (nosuid, nodev); the host path is never shown to it;
- one run holds a key's folder at a time (an exclusive flock): a second run of the same key at the same time
  compiles into its own private cache instead of waiting;
- before the run, what an earlier run of the key left is made the new run's (its uid changes per run): only
  plain files and folders are kept (a planted symlink, FIFO, device node or hard link is removed, so nothing
  the next run opens leads outside the folder), set-id bits are cleared; after the run it goes back to root
  and a folder larger than its cap is emptied (the next run compiles from cold, which is always correct).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import stat
import subprocess
from typing import Callable, Mapping, Optional

from .contract import COMPILE_CACHE_KEY, JobSpec

CACHE_ROOT_NAME = "compile-cache"
SANDBOX_CACHE = "/run/sherpa-runner/compile-cache"
DEFAULT_MAX_BYTES = 32 * 1024 * 1024 * 1024
MAX_ENTRIES = 200000
# Deeper trees are the code's doing, not a compiler's: the folder is discarded (and a walk stays far from
# Python's recursion limit).
MAX_DEPTH = 64


class CompileCacheError(RuntimeError):
    """The cache root is not what the runner made (not a folder, not root's, a link): nothing is shared."""


def entry_name(paper_id: str, key: str) -> str:
    if not re.match(COMPILE_CACHE_KEY, key):
        raise ValueError("bad compile cache key %r" % key)
    return hashlib.sha256(("%s\0%s" % (paper_id, key)).encode("utf-8")).hexdigest()


def _private_folder(path: str, mode: int = 0o700) -> None:
    """A real folder (not a link), root's when the runner is root, with `mode`."""
    try:
        os.mkdir(path, mode)
    except FileExistsError:
        pass
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise CompileCacheError("%s is not a folder" % path)
    if os.geteuid() == 0 and info.st_uid != 0:
        os.lchown(path, 0, 0)
    os.chmod(path, mode)


def hand_over(folder: str, uid: Optional[int], gid: Optional[int], max_bytes: int) -> int:
    """Keeps only plain files and folders, each owned by uid:gid (None: unchanged) without set-id bits; empties
    the folder when it holds more than `max_bytes` or MAX_ENTRIES. Returns the bytes kept."""
    total, entries = 0, 0
    for directory, dirs, names, dir_fd in os.fwalk(folder, follow_symlinks=False):
        if directory[len(folder):].count(os.sep) >= MAX_DEPTH:
            raise CompileCacheError("%s is more than %d folders deep" % (folder, MAX_DEPTH))
        for name in list(dirs) + names:
            entries += 1
            info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            plain_file = stat.S_ISREG(info.st_mode) and info.st_nlink == 1
            if not (plain_file or stat.S_ISDIR(info.st_mode)):
                # os.fwalk lists a symlink to a folder under dirs but does not enter it: unlink, never rmtree.
                os.unlink(name, dir_fd=dir_fd)
                if name in dirs:
                    dirs.remove(name)
                continue
            if uid is not None and gid is not None:
                os.chown(name, uid, gid, dir_fd=dir_fd, follow_symlinks=False)
            # Set-id bits cleared; a link was removed above and no run is live now, so this names the same entry.
            os.chmod(name, (stat.S_IMODE(info.st_mode) & 0o777) | (0o700 if stat.S_ISDIR(info.st_mode) else 0o600), dir_fd=dir_fd)
            total += info.st_size if plain_file else 0
    if total > max_bytes or entries > MAX_ENTRIES:
        discard(folder)
        total = 0
    if uid is not None and gid is not None:
        os.chown(folder, uid, gid)
    os.chmod(folder, 0o700)
    return total


def discard(folder: str) -> None:
    """Empty the folder: moved aside at once (no run sees a half-deleted cache), then removed by `rm -rf`, which
    walks any depth without recursion; a fresh, empty folder takes its place."""
    trash = "%s.discarded-%s" % (folder, os.urandom(6).hex())
    os.rename(folder, trash)
    subprocess.run(["rm", "-rf", "--one-file-system", "--", trash], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=600, check=False)
    _private_folder(folder)


def _hand_over_or_discard(folder: str, uid: Optional[int], gid: Optional[int], max_bytes: int) -> int:
    try:
        return hand_over(folder, uid, gid, max_bytes)
    except (CompileCacheError, RecursionError, OSError):
        # Whatever the folder holds that cannot be walked safely is not worth a run: the cache starts cold.
        discard(folder)
        return hand_over(folder, uid, gid, max_bytes)


class SharedCompileCache:
    """A key's folder, held by this run until `close()`; `acquire()` returns None when another run holds it."""

    def __init__(self, folder: str, lock_fd: int, max_bytes: int):
        self.folder = folder
        self.max_bytes = max_bytes
        self._lock_fd = lock_fd  # type: Optional[int]
        self.bytes_at_start = 0

    @classmethod
    def acquire(cls, work_root: str, paper_id: str, key: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Optional["SharedCompileCache"]:
        root = os.path.join(work_root, CACHE_ROOT_NAME)
        os.makedirs(work_root, mode=0o700, exist_ok=True)
        _private_folder(root)
        name = entry_name(paper_id, key)
        lock_fd = os.open(os.path.join(root, name + ".lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(lock_fd)
            return None
        try:
            folder = os.path.join(root, name)
            _private_folder(folder)
            return cls(folder, lock_fd, max_bytes)
        except BaseException:
            os.close(lock_fd)
            raise

    def lend(self, uid: Optional[int], gid: Optional[int]) -> None:
        """Make the folder the run's (its uid), cleaned of anything but plain files and folders."""
        self.bytes_at_start = _hand_over_or_discard(self.folder, uid, gid, self.max_bytes)

    def close(self) -> None:
        """Back to root (no sandbox uid owns it between runs), capped; then the key is free for the next run."""
        if self._lock_fd is None:
            return
        try:
            root = 0 if os.geteuid() == 0 else None
            _hand_over_or_discard(self.folder, root, root, self.max_bytes)
        finally:
            os.close(self._lock_fd)
            self._lock_fd = None


def max_bytes_from(env: Mapping[str, str]) -> int:
    text = env.get("SHERPA_COMPILE_CACHE_MAX_MB", "")
    return int(text) * 1024 * 1024 if text.isdigit() else DEFAULT_MAX_BYTES


def lend_for_run(job: JobSpec, work_root: str, workspace, log: Callable[[str], None]) -> Optional[SharedCompileCache]:
    """The search's cache for a Neuron job with a `compileCacheKey`, made the run's (workspace.uid); None (the run
    compiles into its own cache, which is always correct) without a key, or when the cache is busy or unusable."""
    if job.backend != "neuron" or job.compile_cache_key is None:
        return None
    try:
        shared = SharedCompileCache.acquire(work_root, job.paper_id, job.compile_cache_key, max_bytes_from(os.environ))
    except (CompileCacheError, OSError) as error:
        log("the search's compile cache is unusable, this run compiles into its own: %s" % error)
        return None
    if shared is None:
        log("another run of this search holds its compile cache now; this run compiles into its own")
        return None
    try:
        shared.lend(workspace.uid, workspace.gid)
    except OSError as error:
        shared.close()
        log("the search's compile cache could not be lent, this run compiles into its own: %s" % error)
        return None
    return shared
