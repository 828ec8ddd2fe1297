"""Keeps a run's work safe while it runs: periodic checkpoint syncs, and the spot notices (issue 12, item 3).

- every `sync_interval` seconds the checkpoint folder goes to `<resultsUri>checkpoint/` (only when it changed)
- a rebalance recommendation is recorded and triggers a sync at once
- an interruption notice stops the code: SIGTERM with the notice's time less `sync_reserve` seconds (kept for
  the final sync and result.json), then SIGKILL; the runner then syncs and reports `interrupted`
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from typing import Any, Callable, Dict, List, Optional

from . import checkpoint, locations
from .child_process import StopRequest
from .spot_watch import Notice, SpotWatcher
from .timestamps import utc_now

DEFAULT_SYNC_SECONDS = 600
DEFAULT_SYNC_RESERVE_SECONDS = 30.0
# However late the notice is read, the code gets this long to save after SIGTERM.
MIN_GRACE_SECONDS = 5.0


def iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


class CheckpointSync:
    def __init__(self, folder: str, prefix: str, run_id: str, scratch: str, max_bytes: int, interval_seconds: float):
        self.folder = folder
        self.prefix = prefix
        self.run_id = run_id
        self.scratch = scratch
        self.max_bytes = max_bytes
        self.interval_seconds = interval_seconds
        self.syncs = 0
        self.files = 0
        self.bytes = 0
        self.last_synced_at = None  # type: Optional[str]
        self.skipped = []  # type: List[str]
        self.errors = []  # type: List[str]
        self.restored = None  # type: Optional[Dict[str, Any]]
        self._uploaded = set()  # type: set
        self._last_key = None  # type: Optional[tuple]
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._reason = "periodic"
        self._thread = None  # type: Optional[threading.Thread]

    def sync(self, reason: str) -> bool:
        """One snapshot and upload; False (and the error kept) when it failed. Never raises."""
        with self._lock:
            taken = None
            try:
                taken = checkpoint.snapshot(self.folder, self.scratch, self.max_bytes)
                self.skipped = sorted(set(self.skipped) | set(taken.skipped))[:20]
                key = tuple((entry["path"], entry["sha256"]) for entry in taken.files)
                if not taken.files or key == self._last_key:
                    return True  # nothing (new) to keep
                checkpoint.upload(taken, self.prefix, self.run_id, utc_now(), self._uploaded)
                self._last_key = key
                self.syncs += 1
                self.files, self.bytes, self.last_synced_at = len(taken.files), taken.bytes, utc_now()
                return True
            except (checkpoint.CheckpointError, locations.LocationError, OSError) as error:
                message = "%s sync: %s" % (reason, error)
                sys.stderr.write("sherpa-runner: checkpoint %s\n" % message)
                self.errors = (self.errors + [message[:300]])[-5:]
                return False
            finally:
                if taken is not None:
                    shutil.rmtree(taken.folder, ignore_errors=True)

    def _loop(self) -> None:
        while True:
            self._wake.wait(self.interval_seconds)
            if self._stopped.is_set():
                return
            reason, self._reason = self._reason, "periodic"
            self._wake.clear()
            self.sync(reason)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, daemon=True, name="checkpoint-sync")
        self._thread.start()

    def sync_soon(self, reason: str) -> None:
        self._reason = reason
        self._wake.set()

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()

    def report(self) -> Dict[str, Any]:
        document = {"uri": self.prefix, "syncs": self.syncs, "files": self.files, "bytes": self.bytes}  # type: Dict[str, Any]
        if self.last_synced_at:
            document["lastSyncedAt"] = self.last_synced_at
        if self.restored:
            document["restoredFrom"] = self.restored
        if self.skipped:
            document["skipped"] = self.skipped
        if self.errors:
            document["errors"] = self.errors
        return document


class RunGuard:
    """Owns the spot watcher and the checkpoint sync for one run, and the stop request they share."""

    def __init__(self, watcher_factory: Callable[..., SpotWatcher], sync: CheckpointSync, sync_reserve_seconds: float,
                 wall_clock: Callable[[], float] = time.time):
        self.sync = sync
        self.stop_request = StopRequest()
        self.sync_reserve_seconds = sync_reserve_seconds
        self.wall_clock = wall_clock
        self.watcher = watcher_factory(on_interruption=self._on_interruption, on_rebalance=self._on_rebalance)

    def _on_interruption(self, notice: Notice) -> None:
        grace = max(MIN_GRACE_SECONDS, notice.deadline - self.wall_clock() - self.sync_reserve_seconds)
        sys.stderr.write("sherpa-runner: spot interruption notice (%s at %s): stopping the code, %.0f s grace\n"
                         % (notice.action, notice.raw_time or "?", grace))
        self.stop_request.request(grace)

    def _on_rebalance(self, notice: Notice) -> None:
        sys.stderr.write("sherpa-runner: rebalance recommendation (%s): syncing the checkpoint now\n" % (notice.raw_time or "?"))
        self.sync.sync_soon("rebalance")  # before the code starts: at its start (the sync thread wakes at once)

    def start(self) -> None:
        self.watcher.start()

    def code_started(self) -> None:
        self.sync.start()

    def code_ended(self) -> None:
        self.sync.stop()

    def stop(self) -> None:
        self.watcher.stop()

    def interruption_report(self, stop_seconds: Optional[float], killed: bool) -> Optional[Dict[str, Any]]:
        notice = self.watcher.interruption
        if notice is None:
            return None
        document = {
            "action": notice.action,
            "noticeTime": notice.raw_time or iso(notice.deadline),
            "receivedAt": iso(notice.received_at),
            "graceSeconds": round(self.stop_request.grace_seconds, 3),
            "stoppedWithinGrace": not killed,
        }  # type: Dict[str, Any]
        if stop_seconds is not None:
            document["stopSeconds"] = round(stop_seconds, 3)
        return document
