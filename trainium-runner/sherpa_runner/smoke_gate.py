"""The smoke gate (issue 13, item 3): an evolve variant's smoke stage as the first seconds of its one full run.

A variant used to get a separate smoke run (compile and a few steps) before its full run: a second start, a
second fetch and sandbox, billed on top of the budget. With the gate the variant runs once; the runner stops
it, like at its time limit (SIGTERM to the run's init, then its whole PID namespace), unless a METRICS line
carrying the objective has appeared within the window. A crash inside the window ends the run by itself.

The window counts from the code's start, compile included. A first Neuron compile takes minutes, but the
runner cannot tell a slow compile from a hang, and a script that prints a banner and then hangs in its first
step would slip through a window that started at its first output line. A fixed window from the start is a
hard bound on what a broken variant costs, known before it runs: the bot sizes it (the smoke seconds plus the
backend's first-compile allowance, src/evolve/variant-job.ts), and on a search's warm compile cache
(compile_cache.py) most variants pass it in seconds.

The key passes with a number or null: the METRICS contract keeps the same keys on every line and prints null
before the first evaluation, so a present key shows the script is wired to report the objective; whether it
reports a value by the end is judged on the result, as before (`no_objective` there too).
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from typing import Any, Callable, Dict, Optional

from .child_process import KILL_GRACE_SECONDS, StopRequest
from .contract import SmokeGateSpec

STOP_REASON = "smoke_gate"
_LINE = re.compile(r"^\s*METRICS:\s*(.*?)\s*$")


def carries(line: str, metric: str) -> bool:
    """Whether `line` is a METRICS line with `metric` as a finite number or null."""
    match = _LINE.match(line)
    if not match:
        return False
    try:
        payload = json.loads(match.group(1))
    except ValueError:
        return False
    if not isinstance(payload, dict) or metric not in payload:
        return False
    value = payload[metric]
    if value is None:
        return True
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


class SmokeGate:
    """Watches stdout from the code's start; at the window's end, stops the code unless the objective appeared."""

    def __init__(self, spec: SmokeGateSpec, stop: StopRequest, clock: Callable[[], float] = time.monotonic,
                 grace_seconds: float = KILL_GRACE_SECONDS) -> None:
        self.spec = spec
        self.stop = stop
        self.clock = clock
        self.grace_seconds = grace_seconds
        self._passed = threading.Event()
        self._ended = threading.Event()
        self._started = None  # type: Optional[float]
        self.passed_after = None  # type: Optional[float]
        self.tripped = False
        self._thread = None  # type: Optional[threading.Thread]
        # A line and the window's end may race: one lock decides which one counts.
        self._lock = threading.Lock()

    def feed(self, line: str) -> None:
        """A stdout listener (CappedStream): cheap once passed."""
        if self._passed.is_set() or self._started is None:
            return
        if carries(line, self.spec.metric):
            with self._lock:
                if not self.tripped:
                    self.passed_after = round(self.clock() - self._started, 3)
                    self._passed.set()

    def start(self) -> None:
        self._started = self.clock()
        self._thread = threading.Thread(target=self._watch, daemon=True, name="smoke-gate")
        self._thread.start()

    def _watch(self) -> None:
        deadline = (self._started or 0.0) + self.spec.seconds
        while not self._passed.is_set() and not self._ended.is_set():
            remaining = deadline - self.clock()
            if remaining <= 0:
                break
            self._ended.wait(min(remaining, 0.2))
        with self._lock:
            if self._passed.is_set() or self._ended.is_set():
                return
            # A spot notice may have stopped the code already: the first request wins (StopRequest).
            self.tripped = self.stop.request(self.grace_seconds, STOP_REASON)

    def end(self) -> None:
        """The code ended: nothing left to stop."""
        self._ended.set()
        if self._thread is not None:
            self._thread.join(1.0)

    def stopped_the_run(self) -> bool:
        """The gate's request is the one that stopped the code (not a spot notice, not the code itself)."""
        return self.tripped and self.stop.reason == STOP_REASON

    def report(self) -> Dict[str, Any]:
        """execution.smokeGate in result.json: the window and, when it passed, after how many seconds."""
        document = {"seconds": self.spec.seconds, "metric": self.spec.metric,
                    "passed": self.passed_after is not None}  # type: Dict[str, Any]
        if self.passed_after is not None:
            document["passedAfterSeconds"] = self.passed_after
        return document

    def failure_message(self) -> str:
        return ("no METRICS line carrying %r within the %d s smoke window from the code's start (compile included); "
                "the run's whole process tree was stopped" % (self.spec.metric, self.spec.seconds))
