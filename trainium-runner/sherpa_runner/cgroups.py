"""One cgroup per run with a pids limit and a memory limit: cgroup v2 where its controllers are enabled (the
Ubuntu 22.04 DLAMI), else the v1 `pids` and `memory` hierarchies (the development and CI machines).

The sandbox's init process joins the cgroup before it forks anything (it writes `0`, "myself", to each
`cgroup.procs`), so every process of the run is counted and limited. No cgroup with both controllers: the
run does not start (`CgroupUnavailable`), it never runs unlimited.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from typing import Dict, List, Optional

V1_ROOT = "/sys/fs/cgroup"
PARENT_NAME = "sherpa-runner"
NEEDED = ("pids", "memory")


class CgroupUnavailable(RuntimeError):
    """The machine offers no cgroup with the pids and memory controllers the runner can use."""


def _read(path: str) -> str:
    with open(path) as handle:
        return handle.read()


def _write(path: str, value: str) -> None:
    with open(path, "w") as handle:
        handle.write(value)


def _v2_mounts(mounts_file: str = "/proc/self/mounts") -> List[str]:
    try:
        lines = _read(mounts_file).splitlines()
    except OSError:
        return []
    return [fields[1] for fields in (line.split() for line in lines) if len(fields) > 2 and fields[2] == "cgroup2"]


def _v2_root(mounts_file: str = "/proc/self/mounts") -> Optional[str]:
    for mount_point in _v2_mounts(mounts_file):
        try:
            controllers = _read(os.path.join(mount_point, "cgroup.controllers")).split()
        except OSError:
            continue
        if all(name in controllers for name in NEEDED):
            return mount_point
    return None


class RunCgroup:
    """The per-run cgroup(s): one directory on v2, one per controller on v1."""

    def __init__(self, version: int, paths: Dict[str, str]):
        self.version = version
        # v2: {"unified": dir}; v1: {"pids": dir, "memory": dir}
        self.paths = paths

    @property
    def procs_files(self) -> List[str]:
        return [os.path.join(path, "cgroup.procs") for path in self.paths.values()]

    def _file(self, controller: str, name: str) -> str:
        return os.path.join(self.paths["unified" if self.version == 2 else controller], name)

    def set_limits(self, pids_max: int, memory_bytes: int) -> None:
        _write(self._file("pids", "pids.max"), str(pids_max))
        if self.version == 2:
            _write(self._file("memory", "memory.max"), str(memory_bytes))
            for name, value in (("memory.swap.max", "0"), ("memory.oom.group", "1")):
                if os.path.exists(self._file("memory", name)):
                    _write(self._file("memory", name), value)
        else:
            _write(self._file("memory", "memory.limit_in_bytes"), str(memory_bytes))
            memsw = self._file("memory", "memory.memsw.limit_in_bytes")
            if os.path.exists(memsw):
                _write(memsw, str(memory_bytes))

    def oom_kills(self) -> int:
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            for line in _read(self._file("memory", name)).splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def peak_memory_bytes(self) -> Optional[int]:
        """The run's memory high-water mark (tmpfs pages included); None where the kernel has no such file."""
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        try:
            return int(_read(self._file("memory", name)).strip())
        except (OSError, ValueError):
            return None

    def pids(self) -> List[int]:
        found = set()
        for procs in self.procs_files:
            try:
                found.update(int(pid) for pid in _read(procs).split())
            except (OSError, ValueError):
                continue
        return sorted(found)

    def kill_all(self, wait_seconds: float = 5.0) -> List[int]:
        """SIGKILLs whatever is still in the cgroup until it is empty; returns the pids that were there.

        Raises RuntimeError when processes remain after `wait_seconds` (e.g. stuck in the kernel): the caller
        reports it rather than claiming a clean end."""
        left = self.pids()
        deadline = time.monotonic() + wait_seconds
        remaining = left
        while remaining:
            if time.monotonic() > deadline:
                raise RuntimeError("processes %s are still in the run's cgroup" % remaining)
            for pid in remaining:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.02)
            remaining = self.pids()
        return left

    def remove(self) -> None:
        for path in self.paths.values():
            for _attempt in range(50):
                try:
                    os.rmdir(path)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)


def _ensure_dir(path: str) -> None:
    try:
        os.mkdir(path, 0o755)
    except FileExistsError:
        pass


def _enable_v2_controllers(directory: str) -> None:
    enabled = _read(os.path.join(directory, "cgroup.subtree_control")).split()
    missing = [name for name in NEEDED if name not in enabled]
    if missing:
        _write(os.path.join(directory, "cgroup.subtree_control"), " ".join("+" + name for name in missing))


def _sweep_stale(parent: str) -> None:
    """Removes run cgroups whose runner (the pid in the name) is gone: left by a runner that was killed."""
    try:
        names = os.listdir(parent)
    except OSError:
        return
    for name in names:
        fields = name.split("-")
        if len(fields) != 3 or fields[0] != "run" or not fields[1].isdigit() or os.path.exists("/proc/%s" % fields[1]):
            continue
        stale = RunCgroup(1, {"stale": os.path.join(parent, name)})
        try:
            stale.kill_all(wait_seconds=1.0)
        except RuntimeError:
            continue
        stale.remove()


def create(v1_root: str = V1_ROOT, mounts_file: str = "/proc/self/mounts") -> RunCgroup:
    """Makes a fresh cgroup for one run, or raises CgroupUnavailable saying what is missing."""
    name = "run-%d-%s" % (os.getpid(), uuid.uuid4().hex[:12])
    v2 = _v2_root(mounts_file)
    try:
        if v2 is not None:
            _enable_v2_controllers(v2)
            parent = os.path.join(v2, PARENT_NAME)
            _ensure_dir(parent)
            _sweep_stale(parent)
            _enable_v2_controllers(parent)
            leaf = os.path.join(parent, name)
            os.mkdir(leaf, 0o755)
            return RunCgroup(2, {"unified": leaf})
        v1 = {controller: os.path.join(v1_root, controller) for controller in NEEDED}
        if all(os.path.exists(os.path.join(path, "cgroup.procs")) for path in v1.values()):
            made = {}
            for controller, base in v1.items():
                parent = os.path.join(base, PARENT_NAME)
                _ensure_dir(parent)
                _sweep_stale(parent)
                made[controller] = os.path.join(parent, name)
                os.mkdir(made[controller], 0o755)
            return RunCgroup(1, made)
    except OSError as error:
        raise CgroupUnavailable("cannot create the run's cgroup: %s" % error)
    raise CgroupUnavailable(
        "no cgroup v2 mount with the pids and memory controllers and no v1 pids and memory hierarchies under %s" % v1_root
    )
