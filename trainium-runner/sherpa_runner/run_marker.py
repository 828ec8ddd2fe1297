"""Exactly once on this machine: a run id starts at most once, whatever redelivers its command.

Before anything of a job runs, the runner creates `<state dir>/started/<run id>` with O_CREAT|O_EXCL (atomic on
a local file system). Finding it already there means an earlier runner started this run: this one must not run
the code again nor overwrite that run's result.json, so it stops with EXIT_ALREADY_STARTED and says so.
"""

from __future__ import annotations

import hashlib
import json
import os
import re

from .timestamps import utc_now


class AlreadyStarted(RuntimeError):
    """The run id has a start marker on this machine."""


def marker_path(state_dir: str, run_id: str) -> str:
    # Readable and collision-free: the sanitised id plus a short digest of the exact id.
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", run_id)[:80]
    digest = hashlib.sha256(run_id.encode()).hexdigest()[:12]
    return os.path.join(state_dir, "started", "%s-%s" % (safe, digest))


def claim(state_dir: str, run_id: str) -> str:
    """Creates the marker or raises AlreadyStarted (with what the first start recorded)."""
    path = marker_path(state_dir, run_id)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        try:
            with open(path) as handle:
                first = handle.read().strip()
        except OSError:
            first = "unreadable"
        raise AlreadyStarted("run %s already started on this machine (%s)" % (run_id, first or "no details"))
    with os.fdopen(fd, "w") as handle:
        handle.write(json.dumps({"runId": run_id, "startedAt": utc_now(), "pid": os.getpid()}))
        handle.flush()
        os.fsync(handle.fileno())
    return path
