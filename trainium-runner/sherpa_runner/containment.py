"""What contains one run: its limits, its network, its uid and its working folder (see README "Security model").

`decide()` runs before anything of the job's is fetched and raises `ContainmentUnavailable` when the machine
cannot contain the code (not root, no metadata block on the host network, ...): the run then does not start and
result.json says why. `Workspace` holds one run's uid lease and its size-capped working folder, a tmpfs the
runner mounts in its own mount namespace (so it can read the profile afterwards) and that the sandbox sees at
the fixed path `SANDBOX_WORK`, whatever the modes of the folders above it on the host.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from typing import Mapping, Optional

from . import kernel, metadata_block, uid_pool

SANDBOX_ROOT = "/run/sherpa-runner"
SANDBOX_WORK = SANDBOX_ROOT + "/work"
MIB = 1024 * 1024
GIB = 1024 * MIB
NETWORK_MODES = ("auto", "host", "none")


class ContainmentUnavailable(RuntimeError):
    """The kernel or the host lacks what containment needs; the code must not run."""


@dataclass(frozen=True)
class Limits:
    memory_bytes: int
    pids_max: int
    tmp_bytes: int
    shm_bytes: int
    work_bytes: int
    nofile: int = 65536

    def to_json(self) -> dict:
        return {
            "memoryBytes": self.memory_bytes,
            "pidsMax": self.pids_max,
            "tmpBytes": self.tmp_bytes,
            "shmBytes": self.shm_bytes,
            "workBytes": self.work_bytes,
        }


def _mem_total(meminfo: str) -> int:
    with open(meminfo) as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    raise ContainmentUnavailable("no MemTotal in %s" % meminfo)


def limits_from(env: Mapping[str, str], meminfo: str = "/proc/meminfo") -> Limits:
    """Defaults from the machine's size; `SHERPA_*` variables (MiB, or a count) override them."""

    def mib(name: str, default: int) -> int:
        return int(env[name]) * MIB if env.get(name) else default

    total = _mem_total(meminfo)
    # The runner, the SSM agent and the kernel keep max(1 GiB, 10 %); tmpfs pages count against the same limit.
    memory = mib("SHERPA_MEMORY_LIMIT_MB", max(total - max(GIB, total // 10), 256 * MIB))
    return Limits(
        memory_bytes=memory,
        pids_max=int(env.get("SHERPA_PIDS_MAX") or 4096),
        tmp_bytes=mib("SHERPA_TMP_SIZE_MB", min(4 * GIB, memory // 4)),
        shm_bytes=mib("SHERPA_SHM_SIZE_MB", min(4 * GIB, memory // 4)),
        work_bytes=mib("SHERPA_WORK_SIZE_MB", min(16 * GIB, memory // 2)),
    )


@dataclass(frozen=True)
class Containment:
    network: str  # "host" (metadata block verified) or "none" (own network namespace, loopback only)
    limits: Limits
    uid_range: str


def decide(network_mode: str, limits: Limits, uid_range: str = uid_pool.uid_range_text()) -> Containment:
    if os.geteuid() != 0:
        raise ContainmentUnavailable(
            "the runner is not root, so it cannot switch uids, make namespaces or cgroups; "
            "run it as root (as SSM does), or pass --unconfined for a local trial without containment"
        )
    if network_mode not in NETWORK_MODES:
        raise ContainmentUnavailable("unknown network mode %r (expected %s)" % (network_mode, ", ".join(NETWORK_MODES)))
    if network_mode == "none":
        return Containment("none", limits, uid_range)
    blocked, why = metadata_block.verify(uid_range)
    if blocked:
        return Containment("host", limits, uid_range)
    if network_mode == "host":
        raise ContainmentUnavailable("the metadata service is not blocked for the sandbox uids: %s" % why)
    # auto: never the host network without the block; a network namespace with loopback only cannot reach it.
    return Containment("none", limits, uid_range)


def sweep_stale_mounts(uid: int, mounts_file: str = "/proc/self/mounts") -> list:
    """Unmounts and removes working folders a crashed runner left for `uid`, which the caller now holds.

    Holding the uid's lock proves no live runner uses it, so any run folder still mounted for it is stale."""
    swept = []
    try:
        with open(mounts_file) as handle:
            lines = handle.read().splitlines()
    except OSError:
        return swept
    for fields in (line.split() for line in lines):
        if len(fields) < 4 or fields[2] != "tmpfs" or "uid=%d" % uid not in fields[3].split(","):
            continue
        target = fields[1].replace("\\040", " ")
        if os.path.basename(target) != "work" or os.path.basename(os.path.dirname(os.path.dirname(target))) != "runs":
            continue
        try:
            kernel.umount(target, kernel.MNT_DETACH)
        except OSError:
            continue
        shutil.rmtree(os.path.dirname(target), ignore_errors=True)
        swept.append(target)
    return swept


class Workspace:
    """One run's folder: `control` (root only: launch configs) and `work` (the code's, a capped tmpfs)."""

    contained = True

    def __init__(self, containment: Containment, work_root: str, run_id: str, extra_gids=()):
        self.containment = containment
        first, last = uid_pool.parse_range(containment.uid_range)
        self.lease = uid_pool.allocate(first=first, last=last)
        self.uid, self.gid = self.lease.uid, self.lease.gid
        self.extra_gids = tuple(extra_gids)
        self.user = "sherpa-run-%d" % self.uid
        self.mounted = False
        # Folders the runner lends to this run beyond its working folder (the search's compile cache).
        self.lent = []  # type: list
        try:
            self.swept = sweep_stale_mounts(self.uid)
            os.makedirs(os.path.join(work_root, "runs"), mode=0o700, exist_ok=True)
            safe_id = re.sub(r"[^A-Za-z0-9_.-]", "_", run_id)[:80] or "run"
            self.run_dir = tempfile.mkdtemp(prefix=safe_id + "-", dir=os.path.join(work_root, "runs"))
            self.control = os.path.join(self.run_dir, "control")
            self.work = os.path.join(self.run_dir, "work")
            os.mkdir(self.control, 0o700)
            os.mkdir(self.work, 0o700)
            options = "size=%d,mode=0700,uid=%d,gid=%d" % (containment.limits.work_bytes, self.uid, self.gid)
            kernel.mount("tmpfs", self.work, "tmpfs", kernel.MS_NOSUID | kernel.MS_NODEV, options)
            self.mounted = True
            os.makedirs(SANDBOX_WORK, mode=0o755, exist_ok=True)
            os.chmod(SANDBOX_ROOT, 0o755)
        except BaseException:
            self.close()
            raise

    def inside(self, host_path: str) -> str:
        """The path the sandbox sees for a host path under the working folder."""
        relative = os.path.relpath(host_path, self.work)
        if relative.startswith(".."):
            raise ValueError("%s is outside the run's working folder" % host_path)
        return SANDBOX_WORK if relative == "." else os.path.join(SANDBOX_WORK, relative)

    def lend(self, host_path: str, sandbox_path: str) -> str:
        """Bind a runner-owned folder into the run at a fixed path under SANDBOX_ROOT (nosuid, nodev); the
        sandbox sees `sandbox_path`, never the host path. Returns the path the sandbox sees."""
        if os.path.dirname(sandbox_path) != SANDBOX_ROOT or sandbox_path == SANDBOX_WORK:
            raise ValueError("%s is not a lendable sandbox path" % sandbox_path)
        os.makedirs(sandbox_path, mode=0o755, exist_ok=True)
        self.lent.append({"type": "bind", "source": host_path, "target": sandbox_path, "nosuid": True})
        return sandbox_path

    def mounts(self) -> list:
        limits = self.containment.limits
        # The binds come first: the tmpfs on /tmp would hide a working folder that lives under /tmp.
        specs = [{"type": "bind", "source": self.work, "target": SANDBOX_WORK}] + list(self.lent)
        for target, size in (("/tmp", limits.tmp_bytes), ("/var/tmp", limits.tmp_bytes), ("/dev/shm", limits.shm_bytes), ("/run/lock", MIB)):
            if os.path.isdir(target):
                specs.append({"type": "tmpfs", "target": target, "size": size, "mode": "1777"})
        return specs

    def give(self, path: str, mode: int) -> None:
        os.chmod(path, mode)
        os.chown(path, self.uid, self.gid)

    def close(self) -> None:
        if self.mounted:
            try:
                kernel.umount(self.work, kernel.MNT_DETACH)
                self.mounted = False
            except OSError:
                pass
        if getattr(self, "run_dir", None) and not self.mounted:
            shutil.rmtree(self.run_dir, ignore_errors=True)
        self.lease.release()


class UnconfinedWorkspace:
    """`--unconfined` (a local trial as an ordinary user): a plain folder, no uid switch, no containment."""

    contained = False
    uid = None  # type: Optional[int]
    gid = None  # type: Optional[int]
    extra_gids = ()

    def __init__(self, work_root: str, run_id: str, user: str):
        os.makedirs(os.path.join(work_root, "runs"), mode=0o700, exist_ok=True)
        safe_id = re.sub(r"[^A-Za-z0-9_.-]", "_", run_id)[:80] or "run"
        self.run_dir = tempfile.mkdtemp(prefix=safe_id + "-", dir=os.path.join(work_root, "runs"))
        self.control = os.path.join(self.run_dir, "control")
        self.work = os.path.join(self.run_dir, "work")
        os.mkdir(self.control, 0o700)
        os.mkdir(self.work, 0o700)
        self.user = user

    def inside(self, host_path: str) -> str:
        return host_path

    def lend(self, host_path: str, _sandbox_path: str) -> str:
        return host_path

    def give(self, path: str, mode: int) -> None:
        os.chmod(path, mode)

    def close(self) -> None:
        shutil.rmtree(self.run_dir, ignore_errors=True)
