"""The sandbox's launcher and init: `python -m sherpa_runner.sandbox_init <config.json> <status fd> <runner pid>`.

Started by the runner (as root) for every launch of untrusted code. Three processes:

- the launcher joins the run's cgroups, unshares the mount, PID, IPC and UTS namespaces (and the network one
  when the run has no network), and forks
- init, PID 1 of the new PID namespace: makes every mount private, mounts a fresh /proc, size-capped tmpfs on
  /tmp, /var/tmp and /dev/shm, binds the run's working folder at a fixed path; then forks
- the code: its own session, rlimits, no new privileges, the run's own uid and gid, then execve.

When the code exits, init exits, and the kernel kills everything left in the namespace however it forked or
setsid'd. The launcher and init die with their parent (PR_SET_PDEATHSIG), so a killed runner takes the whole
run down with it. Progress goes to the status pipe as JSON lines the runner reads: `init` (init's host pid),
`started`, `exit` (the code's status), or `error` with the step that failed: a failure before the code starts
is the sandbox's, and the runner reports it as such, never as the code's.
"""

from __future__ import annotations

import fcntl
import json
import os
import resource
import signal
import socket
import struct
import sys
from typing import Any, Dict

from . import kernel

RLIMITS = {
    "NPROC": resource.RLIMIT_NPROC,
    "FSIZE": resource.RLIMIT_FSIZE,
    "CORE": resource.RLIMIT_CORE,
    "NOFILE": resource.RLIMIT_NOFILE,
}
EXIT_SANDBOX_FAILED = 125
_SIOCGIFFLAGS = 0x8913
_SIOCSIFFLAGS = 0x8914
_IFF_UP = 0x1


def _emit(fd: int, event: Dict[str, Any]) -> None:
    try:
        os.write(fd, (json.dumps(event) + "\n").encode())
    except OSError:
        pass


def _fail(fd: int, stage: str, error: BaseException) -> None:
    _emit(fd, {"event": "error", "stage": stage, "message": str(error)[:500]})
    os._exit(EXIT_SANDBOX_FAILED)


def _exit_code(status: int) -> int:
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def _loopback_up() -> None:
    # A fresh network namespace has `lo` down; code that talks to itself (torch.distributed on localhost) needs it.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14s", b"lo", 0, b"\0" * 14)
        flags = struct.unpack("16sH", fcntl.ioctl(sock, _SIOCGIFFLAGS, request)[:18])[1]
        fcntl.ioctl(sock, _SIOCSIFFLAGS, struct.pack("16sH14s", b"lo", flags | _IFF_UP, b"\0" * 14))


def _mounts(config: Dict[str, Any]) -> None:
    kernel.mount("none", "/", None, kernel.MS_REC | kernel.MS_PRIVATE)
    kernel.mount("proc", "/proc", "proc", kernel.MS_NOSUID | kernel.MS_NODEV | kernel.MS_NOEXEC)
    for spec in config["mounts"]:
        if spec["type"] == "bind":
            kernel.mount(spec["source"], spec["target"], None, kernel.MS_BIND | kernel.MS_REC)
            if spec.get("nosuid"):
                # A bind keeps the source's flags; a folder on the root file system gets nosuid and nodev here.
                flags = kernel.MS_REMOUNT | kernel.MS_BIND | kernel.MS_NOSUID | kernel.MS_NODEV
                kernel.mount("none", spec["target"], None, flags)
        else:
            options = "size=%d,mode=%s" % (spec["size"], spec.get("mode", "1777"))
            kernel.mount("tmpfs", spec["target"], "tmpfs", kernel.MS_NOSUID | kernel.MS_NODEV, options)


def _exec_code(config: Dict[str, Any], error_fd: int) -> None:
    """In the forked child: become the run's user and exec the code. Never returns."""
    try:
        os.setsid()
        for name, value in config["rlimits"].items():
            # Only ever lowered: a host whose hard limit is already lower keeps it.
            _soft, hard = resource.getrlimit(RLIMITS[name])
            limit = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(RLIMITS[name], (limit, limit))
        os.setgroups(config["groups"])
        os.setgid(config["gid"])
        os.setuid(config["uid"])
        kernel.prctl(kernel.PR_SET_NO_NEW_PRIVS, 1)
        os.chdir(config["cwd"])
        for number in range(1, signal.NSIG):
            if number not in (signal.SIGKILL, signal.SIGSTOP):
                try:
                    signal.signal(number, signal.SIG_DFL)
                except (OSError, ValueError):
                    pass
        os.execve(config["argv"][0], config["argv"], config["env"])
    except BaseException as error:  # anything: the child must never fall back into init's code
        try:
            os.write(error_fd, ("%s: %s" % (type(error).__name__, error)).encode()[:1000])
        finally:
            os._exit(127)


def _init(config: Dict[str, Any], status_fd: int) -> None:
    """PID 1 of the run's namespace. Never returns."""
    try:
        kernel.prctl(kernel.PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getpid() != 1:
            # Never act as init outside a PID namespace of our own: its kill(-1) would reach the whole host.
            raise RuntimeError("init is pid %d, not 1: no PID namespace" % os.getpid())
        if config["new_network"]:
            _loopback_up()
        _mounts(config)
    except BaseException as error:
        _fail(status_fd, "namespace set-up", error)
    # Stop at the runner's request: pass it to every process of the namespace (init itself is spared by -1).
    signal.signal(signal.SIGTERM, lambda *_: os.kill(-1, signal.SIGTERM))
    read_end, write_end = os.pipe()  # close-on-exec: empty when the exec succeeded
    code_pid = os.fork()
    if code_pid == 0:
        os.close(read_end)
        _exec_code(config, write_end)
    os.close(write_end)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)  # only the code holds the output pipes: end of file when the namespace ends
    exec_error = b""
    while True:
        chunk = os.read(read_end, 1000)
        if not chunk:
            break
        exec_error += chunk
    if exec_error:
        _fail(status_fd, "start the code", RuntimeError(exec_error.decode("utf-8", "replace")))
    _emit(status_fd, {"event": "started"})
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            os._exit(EXIT_SANDBOX_FAILED)
        if pid == code_pid:
            _emit(status_fd, {"event": "exit", "exitCode": _exit_code(status)})
            os._exit(0)


def main(argv: Any = None) -> None:
    config_path, status_text, runner_pid = (argv or sys.argv[1:])[:3]
    status_fd = int(status_text)
    os.set_inheritable(status_fd, False)
    try:
        kernel.prctl(kernel.PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != int(runner_pid):
            os._exit(EXIT_SANDBOX_FAILED)  # the runner is already gone
        with open(config_path) as handle:
            config = json.load(handle)
        for procs in config["cgroup_procs"]:
            with open(procs, "w") as handle:
                handle.write("0")
        flags = kernel.CLONE_NEWNS | kernel.CLONE_NEWPID | kernel.CLONE_NEWIPC | kernel.CLONE_NEWUTS
        kernel.unshare(flags | (kernel.CLONE_NEWNET if config["new_network"] else 0))
    except BaseException as error:
        _fail(status_fd, "cgroup and namespaces", error)
    init_pid = os.fork()
    if init_pid == 0:
        _init(config, status_fd)
    _emit(status_fd, {"event": "init", "pid": init_pid})
    signal.signal(signal.SIGTERM, lambda *_: os.kill(init_pid, signal.SIGTERM))
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    _pid, status = os.waitpid(init_pid, 0)
    os._exit(_exit_code(status) & 0xFF)


if __name__ == "__main__":
    main()
