"""Watches the instance's spot interruption notice and rebalance recommendation while a run lasts.

A thread polls IMDS every few seconds (`/latest/meta-data/spot/instance-action`: 404 until EC2 decides to
stop or terminate the instance, then `{"action": "terminate", "time": "…Z"}`, about two minutes ahead;
`/latest/meta-data/events/recommendations/rebalance`: `{"noticeTime": "…Z"}`, an earlier and weaker signal).
Each signal is handed on once. The same thread first reads the instance's facts for result.json. A machine with
no metadata service (COMPUTE=local) is not an error: the watcher backs off and the run goes on.
"""

from __future__ import annotations

import calendar
import json
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable, Dict, Optional

from .imds import Imds, ImdsUnavailable

INSTANCE_ACTION = "meta-data/spot/instance-action"
REBALANCE = "meta-data/events/recommendations/rebalance"
DEFAULT_POLL_SECONDS = 5.0
# After this many failures in a row without one answer the host is taken for one without IMDS: poll rarely.
UNREACHABLE_AFTER = 3
UNREACHABLE_POLL_SECONDS = 60.0
# EC2 gives two minutes; when the notice's time cannot be read, assume that.
DEFAULT_NOTICE_SECONDS = 120.0


@dataclass(frozen=True)
class Notice:
    kind: str  # "interruption" or "rebalance"
    action: str  # "terminate", "stop", "hibernate" (interruption) or "rebalance"
    raw_time: str  # as EC2 wrote it
    deadline: float  # epoch seconds: when EC2 acts (interruption) or when it recommended (rebalance)
    received_at: float  # epoch seconds


def parse_time(text: str) -> Optional[float]:
    for pattern in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ"):
        try:
            return float(calendar.timegm(time.strptime(text, pattern)))
        except (ValueError, TypeError):
            continue
    return None


def _json_object(body: str) -> Dict[str, object]:
    try:
        document = json.loads(body)
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def interruption_notice(body: str, now: float) -> Notice:
    document = _json_object(body)
    raw_time = str(document.get("time", ""))[:64]
    deadline = parse_time(raw_time)
    action = str(document.get("action", "terminate"))[:32] or "terminate"
    return Notice("interruption", action, raw_time, deadline if deadline is not None else now + DEFAULT_NOTICE_SECONDS, now)


def rebalance_notice(body: str, now: float) -> Notice:
    raw_time = str(_json_object(body).get("noticeTime", ""))[:64]
    return Notice("rebalance", "rebalance", raw_time, parse_time(raw_time) or now, now)


class SpotWatcher:
    def __init__(
        self,
        imds: Optional[Imds],
        on_interruption: Callable[[Notice], None],
        on_rebalance: Callable[[Notice], None],
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        wall_clock: Callable[[], float] = time.time,
    ):
        self.imds = imds
        self.on_interruption = on_interruption
        self.on_rebalance = on_rebalance
        self.poll_seconds = poll_seconds
        self.wall_clock = wall_clock
        self.instance = {}  # type: Dict[str, str]
        self.interruption = None  # type: Optional[Notice]
        self.rebalance = None  # type: Optional[Notice]
        self.reachable = False
        self._failures = 0
        self._stopped = threading.Event()
        self._thread = None  # type: Optional[threading.Thread]

    @property
    def gave_up(self) -> bool:
        """No answer yet and several failures in a row: taken for a host without the metadata service."""
        return not self.reachable and self._failures >= UNREACHABLE_AFTER

    def start(self) -> None:
        if self.imds is None:
            return
        self._thread = threading.Thread(target=self._loop, daemon=True, name="spot-watch")
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(5.0)

    def _loop(self) -> None:
        while not self._stopped.is_set():
            try:
                self.poll_once()
                self._failures = 0
            except ImdsUnavailable as error:
                self._failures += 1
                if self._failures == UNREACHABLE_AFTER and not self.reachable:
                    sys.stderr.write("sherpa-runner: no instance metadata service, spot notices are not watched: %s\n" % error)
            except Exception as error:  # the watcher must never take the run down
                sys.stderr.write("sherpa-runner: spot watcher: %s: %s\n" % (type(error).__name__, error))
            idle = UNREACHABLE_POLL_SECONDS if self.gave_up else self.poll_seconds
            self._stopped.wait(idle)

    def poll_once(self) -> None:
        assert self.imds is not None
        if not self.instance:
            self.instance = self.imds.instance()
        self.reachable = True
        if self.interruption is None:
            body = self.imds.get(INSTANCE_ACTION)
            if body is not None:
                self.interruption = interruption_notice(body, self.wall_clock())
                self.on_interruption(self.interruption)
        if self.rebalance is None:
            body = self.imds.get(REBALANCE)
            if body is not None:
                self.rebalance = rebalance_notice(body, self.wall_clock())
                self.on_rebalance(self.rebalance)
