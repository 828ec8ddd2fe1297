"""Starts the untrusted child and stops it, with a wall-clock timeout.

Contained (the normal case): the child runs under `sandbox_init` in its own PID, mount, IPC and UTS namespaces
(and network namespace when the run has no network), in a fresh cgroup with pids and memory limits, as the
run's own uid. When the code ends, or at the timeout, the namespace's init dies and the kernel kills every
process left in it; the cgroup is then checked empty and removed. A failure of the sandbox itself (a mount, a
namespace, an exec the run's uid may not do) comes back as `start_error`, never as the code's exit.

Unconfined (`--unconfined`, a local trial by an ordinary user only): the child leads its own session and its
process group is killed at the end; nothing stops a process that leaves the group.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

from . import cgroups
from .capped_stream import CappedStream, widen_pipe

KILL_GRACE_SECONDS = 5.0
# How often a run that can be stopped from outside (a spot interruption) looks at its stop request.
STOP_POLL_SECONDS = 0.2
PIPE_DRAIN_SECONDS = 10.0
_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_INIT_BOOT = "import sys; sys.path.insert(0, sys.argv.pop(1)); from sherpa_runner.sandbox_init import main; main(sys.argv[1:])"


@dataclass
class ChildOutcome:
    # Negative: killed by that signal (subprocess convention). None: it never started.
    exit_code: Optional[int]
    timed_out: bool
    duration_seconds: float
    start_error: Optional[str] = None
    oom_kills: int = 0
    leftovers: List[int] = field(default_factory=list)
    # Stopped at the runner's request (a spot interruption notice), not by the timeout.
    interrupted: bool = False
    # Seconds from the SIGTERM to the code's end, and whether the grace ran out (SIGKILL followed).
    stop_seconds: Optional[float] = None
    killed_after_grace: bool = False
    # The run's peak memory: its cgroup's high-water mark (contained) or the largest child's RSS (unconfined).
    peak_memory_bytes: Optional[int] = None


class StopRequest:
    """Set by another thread to stop the code: SIGTERM, `grace_seconds`, then SIGKILL. Two threads may ask: the
    spot watcher (`reason` "spot") and the smoke gate ("smoke_gate"); the first request wins, so a run stopped by
    one is never reported as stopped by the other."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self.grace_seconds = KILL_GRACE_SECONDS
        self.reason = None  # type: Optional[str]

    def request(self, grace_seconds: float, reason: str = "spot") -> bool:
        """True when this request is the one that stops the code (False: another came first)."""
        with self._lock:
            if self._event.is_set():
                return False
            self.grace_seconds = grace_seconds
            self.reason = reason
            self._event.set()
            return True

    @property
    def requested(self) -> bool:
        return self._event.is_set()


def _wait(child: subprocess.Popen, timeout_seconds: float, stop: Optional[StopRequest], clock: Callable[[], float], started: float) -> str:
    """'exited', 'timeout' or 'stopped' (the stop request came first)."""
    deadline = started + timeout_seconds
    while True:
        remaining = deadline - clock()
        if remaining <= 0:
            return "timeout"
        if stop is not None and stop.requested:
            return "stopped"
        try:
            child.wait(timeout=remaining if stop is None else min(remaining, STOP_POLL_SECONDS))
            return "exited"
        except subprocess.TimeoutExpired:
            continue


def _signal_group(pgid: int, signal_number: int) -> None:
    try:
        os.killpg(pgid, signal_number)
    except (ProcessLookupError, PermissionError):
        pass


def _start_pumps(child: subprocess.Popen, stdout: CappedStream, stderr: CappedStream) -> List[threading.Thread]:
    for pipe in (child.stdout, child.stderr):
        widen_pipe(pipe.fileno())
    pumps = [
        threading.Thread(target=stream.pump, args=(pipe.fileno(),), daemon=True, name="pump-" + name)
        for stream, pipe, name in ((stdout, child.stdout, "stdout"), (stderr, child.stderr, "stderr"))
    ]
    for pump in pumps:
        pump.start()
    return pumps


def _finish_pumps(child: subprocess.Popen, pumps: List[threading.Thread]) -> None:
    for pump in pumps:
        pump.join(PIPE_DRAIN_SECONDS)
    # A pipe still held by an escaped process stays open: closing an fd another thread reads from is unsafe.
    if not any(pump.is_alive() for pump in pumps):
        for pipe in (child.stdout, child.stderr):
            if pipe is not None:
                pipe.close()


def _read_events(fd: int, events: List[Dict[str, object]]) -> None:
    buffered = b""
    with os.fdopen(fd, "rb", buffering=0) as source:
        while True:
            chunk = source.read(4096)
            if not chunk:
                break
            buffered += chunk
            while b"\n" in buffered:
                line, buffered = buffered.split(b"\n", 1)
                try:
                    events.append(json.loads(line.decode("utf-8", "replace")))
                except ValueError:
                    continue


def _event(events: List[Dict[str, object]], name: str) -> Optional[Dict[str, object]]:
    return next((event for event in events if event.get("event") == name), None)


def run_contained(
    argv: List[str],
    env: Dict[str, str],
    cwd: str,
    workspace,
    timeout_seconds: float,
    stdout: CappedStream,
    stderr: CappedStream,
    kill_grace_seconds: float = KILL_GRACE_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    stop: Optional[StopRequest] = None,
) -> ChildOutcome:
    limits = workspace.containment.limits
    try:
        group = cgroups.create()
        group.set_limits(limits.pids_max + 2, limits.memory_bytes)  # + the launcher and init
    except (cgroups.CgroupUnavailable, OSError) as error:
        return ChildOutcome(None, False, 0.0, start_error="sandbox: %s" % error)
    config = {
        "cgroup_procs": group.procs_files,
        "new_network": workspace.containment.network == "none",
        "mounts": workspace.mounts(),
        "uid": workspace.uid,
        "gid": workspace.gid,
        "groups": list(workspace.extra_gids),
        "rlimits": {"NPROC": limits.pids_max, "FSIZE": limits.work_bytes, "CORE": 0, "NOFILE": limits.nofile},
        "argv": argv,
        "env": env,
        "cwd": cwd,
    }
    config_path = os.path.join(workspace.control, "launch-%d.json" % time.monotonic_ns())
    with open(config_path, "w") as handle:
        json.dump(config, handle)
    status_read, status_write = os.pipe()
    events = []  # type: List[Dict[str, object]]
    started = clock()
    try:
        child = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _INIT_BOOT, _PACKAGE_PARENT, config_path, str(status_write), str(os.getpid())],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd="/",
            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"},
            pass_fds=(status_write,),
            bufsize=0,
        )
    except (OSError, subprocess.SubprocessError) as error:
        os.close(status_read)
        os.close(status_write)
        group.remove()
        return ChildOutcome(None, False, 0.0, start_error="sandbox: cannot start its init: %s" % error)
    os.close(status_write)
    reader = threading.Thread(target=_read_events, args=(status_read, events), daemon=True, name="sandbox-status")
    reader.start()
    pumps = _start_pumps(child, stdout, stderr)
    ended = _wait(child, timeout_seconds, stop, clock, started)
    stop_seconds, killed_after_grace = None, False
    if ended != "exited":
        signalled = clock()
        child.send_signal(signal.SIGTERM)  # the launcher passes it to init, init to every process of the run
        try:
            child.wait(timeout=stop.grace_seconds if ended == "stopped" and stop is not None else kill_grace_seconds)
        except subprocess.TimeoutExpired:
            killed_after_grace = True
            init = _event(events, "init")
            if init is not None:
                os.kill(int(init["pid"]), signal.SIGKILL)  # the namespace dies with its init
            child.kill()
        stop_seconds = clock() - signalled
    duration = clock() - started
    child.wait()
    reader.join(PIPE_DRAIN_SECONDS)
    leftovers = []  # type: List[int]
    try:
        leftovers = group.kill_all()
    finally:
        oom_kills = group.oom_kills()
        peak = group.peak_memory_bytes()
        group.remove()
    _finish_pumps(child, pumps)
    error = _event(events, "error")
    if error is not None:
        return ChildOutcome(None, False, duration, start_error="sandbox (%s): %s" % (error.get("stage"), error.get("message")))
    exited = _event(events, "exit")
    if exited is None and _event(events, "started") is None:
        return ChildOutcome(None, False, duration, start_error="sandbox: its init ended before the code started (status %s)" % child.returncode)
    exit_code = int(exited["exitCode"]) if exited is not None else -signal.SIGKILL
    return ChildOutcome(
        exit_code, ended == "timeout", duration, oom_kills=oom_kills, leftovers=leftovers, interrupted=ended == "stopped",
        stop_seconds=stop_seconds, killed_after_grace=killed_after_grace, peak_memory_bytes=peak,
    )


def run_unconfined(
    argv: List[str],
    env: Dict[str, str],
    cwd: str,
    timeout_seconds: float,
    stdout: CappedStream,
    stderr: CappedStream,
    kill_grace_seconds: float = KILL_GRACE_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    stop: Optional[StopRequest] = None,
) -> ChildOutcome:
    started = clock()
    try:
        child = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env,
            start_new_session=True, close_fds=True, bufsize=0,
        )
    except (OSError, subprocess.SubprocessError) as error:
        return ChildOutcome(exit_code=None, timed_out=False, duration_seconds=0.0, start_error=str(error))
    pumps = _start_pumps(child, stdout, stderr)
    ended = _wait(child, timeout_seconds, stop, clock, started)
    stop_seconds, killed_after_grace = None, False
    if ended != "exited":
        signalled = clock()
        _signal_group(child.pid, signal.SIGTERM)
        try:
            child.wait(timeout=stop.grace_seconds if ended == "stopped" and stop is not None else kill_grace_seconds)
        except subprocess.TimeoutExpired:
            killed_after_grace = True
        stop_seconds = clock() - signalled
    duration = clock() - started
    _signal_group(child.pid, signal.SIGKILL)
    child.wait()
    _finish_pumps(child, pumps)
    # ru_maxrss is the largest RSS among waited-for children (KiB on Linux): the code is by far the largest here.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return ChildOutcome(
        exit_code=child.returncode, timed_out=ended == "timeout", duration_seconds=duration, interrupted=ended == "stopped",
        stop_seconds=stop_seconds, killed_after_grace=killed_after_grace, peak_memory_bytes=peak or None,
    )


def run_child(argv, env, cwd, workspace, timeout_seconds, stdout, stderr, **kwargs) -> ChildOutcome:
    if workspace.contained:
        return run_contained(argv, env, cwd, workspace, timeout_seconds, stdout, stderr, **kwargs)
    return run_unconfined(argv, env, cwd, timeout_seconds, stdout, stderr, **kwargs)
