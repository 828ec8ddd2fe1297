"""The smoke gate (issue 13, item 3): an evolve variant's smoke stage as the first seconds of its one full run.

A variant used to get a separate smoke run (compile and a few steps) before its full run: a second start, a
second fetch and sandbox, billed on top of the budget. With the gate the variant runs once; the runner stops
it, like at its time limit (SIGTERM to the run's init, then its whole PID namespace), unless a METRICS line
carrying the objective has appeared within the window. A crash inside the window ends the run by itself.

The window counts from the code's start, but its clock stops while a Neuron compiler process of the run is
alive (`neuronx-cc`, `neuron-cc`: torch-neuronx runs the compiler as a child process, found by the run's uid in
/proc). A first Neuron compile of a new graph takes minutes, and a window that had to allow for it would let a
variant that never reports the objective run for most of its budget; a window that started at the first output
line instead would let a script that prints a banner and then hangs run to its time limit. So: the window is
the code's own time outside the compiler, and a compile that hangs is bounded by the job's timeout. The bot
sizes the window (the smoke seconds plus the backend's start-up allowance, src/domain/evolve-smoke-gate.ts).

The key passes with a number or null: the METRICS contract keeps the same keys on every line and prints null
before the first evaluation, so a present key shows the script is wired to report the objective; whether it
reports a value by the end is judged on the result, as before (`no_objective` there too).
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
import time
from typing import Any, Callable, Dict, Iterable, Optional

from .child_process import KILL_GRACE_SECONDS, StopRequest
from .contract import SmokeGateSpec

STOP_REASON = "smoke_gate"
_LINE = re.compile(r"^\s*METRICS:\s*(.*?)\s*$")
# Executables whose run pauses the window's clock (the Neuron compilers torch-neuronx and torch-neuron start).
COMPILERS = frozenset({"neuronx-cc", "neuron-cc"})
# How often the compiler is looked for (a /proc scan): the window is then right to about this much.
COMPILER_POLL_SECONDS = 1.0


def _uid_of(status_path: str) -> Optional[int]:
    try:
        with open(status_path) as status:
            for line in status:
                if line.startswith("Uid:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def compiler_running(uid: int, proc: str = "/proc", names: Iterable[str] = COMPILERS) -> bool:
    """Whether a process of `uid` runs one of the compilers: its argv[0], or the script a shebang ran, by name."""
    wanted = frozenset(names)
    try:
        entries = os.listdir(proc)
    except OSError:
        return False
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(os.path.join(proc, entry, "cmdline"), "rb") as handle:
                argv = handle.read().split(b"\0")[:2]
        except OSError:
            continue
        names_seen = {os.path.basename(arg.decode("utf-8", "replace")) for arg in argv if arg}
        if names_seen & wanted and _uid_of(os.path.join(proc, entry, "status")) == uid:
            return True
    return False


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
                 grace_seconds: float = KILL_GRACE_SECONDS, compiling: Callable[[], bool] = lambda: False,
                 compiler_poll_seconds: float = COMPILER_POLL_SECONDS) -> None:
        self.spec = spec
        self.stop = stop
        self.clock = clock
        self.grace_seconds = grace_seconds
        # Whether the run's compiler is running now: the window's clock stands still meanwhile.
        self.compiling = compiling
        self.compiler_poll_seconds = compiler_poll_seconds
        self.paused_seconds = 0.0
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
            looked = self.clock()
            if self.compiling():
                # The compiler's time is not the code's: the deadline moves by as long as it ran.
                self._ended.wait(self.compiler_poll_seconds)
                spent = self.clock() - looked
                deadline += spent
                self.paused_seconds += spent
                continue
            # One /proc scan a poll, not more: the window is right to about a poll either way.
            self._ended.wait(min(remaining, self.compiler_poll_seconds))
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
        if self.paused_seconds > 0:
            document["compilerSeconds"] = round(self.paused_seconds, 3)
        return document

    def failure_message(self) -> str:
        compiler = " (besides %.0f s in the compiler)" % self.paused_seconds if self.paused_seconds >= 1 else ""
        return ("no METRICS line carrying %r within the %d s smoke window of the code's time%s; "
                "the run's whole process tree was stopped" % (self.spec.metric, self.spec.seconds, compiler))
