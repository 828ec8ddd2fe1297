"""Red team: real malicious scripts through the real runner (issue 10). Root and kernel features needed; CI is root.

Every case ends with the same checks (red_team.RedTeamCase.assert_contained_end): nothing of the run's uid
running, nothing it owns on disk, its folder and cgroup gone, and the run over within its timeout.
"""

import json
import os
import textwrap
import time

from sherpa_runner.containment import Limits
from tests.helpers import TEST_LIMITS
from tests.red_team import RedTeamCase

MIB = 1024 * 1024

SETSID_REFORKER = textwrap.dedent(
    """
    import os, time
    if os.fork() == 0:
        os.setsid()
        while True:  # a new pid every millisecond: a one-pass sweep of /proc never catches it
            if os.fork():
                os._exit(0)
            time.sleep(0.001)
    time.sleep(0.5)
    print("leaving the re-forker behind", flush=True)
    """
)

DOUBLE_FORK_DAEMON = textwrap.dedent(
    """
    import os, time
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            devnull = os.open("/dev/null", os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            while True:
                time.sleep(0.05)
        os._exit(0)
    time.sleep(0.2)
    print("daemon started", flush=True)
    """
)

FORK_BOMB = textwrap.dedent(
    """
    import os, time
    children = 0
    try:
        while children < 100000:
            if os.fork() == 0:
                time.sleep(120)
                os._exit(0)
            children += 1
    except OSError as error:
        print("stopped after %d forks: %s" % (children, error), flush=True)
    print('METRICS: {"children": %d}' % children, flush=True)
    """
)

DISK_FILLER = textwrap.dedent(
    """
    import os
    block = b"\\0" * (1 << 20)
    for name, folder in (("tmp", "/tmp"), ("var_tmp", "/var/tmp"), ("dev_shm", "/dev/shm"), ("work", os.getcwd())):
        written = 0
        try:
            with open(os.path.join(folder, "fill"), "wb", buffering=0) as out:
                while written < (2 << 30):
                    written += out.write(block)
        except OSError as error:
            print("%s stopped: %s" % (name, error), flush=True)
        print('METRICS: {"%s_bytes": %d}' % (name, written), flush=True)
    """
)

LINE_FLOOD = textwrap.dedent(
    """
    import os
    block = b"x\\n" * (1 << 19)
    for _ in range(1024):  # 1 GiB of two-byte lines
        view = memoryview(block)
        while view:
            view = view[os.write(1, view):]
    print('METRICS: {"after_flood": 1}', flush=True)
    """
)

VICTIM = textwrap.dedent(
    """
    # VICTIM-SECRET-7f3a: the attacker must never read this file
    import time
    for step in range(40):
        print('METRICS: {"step": %d, "accuracy": 0.5}' % step, flush=True)
        time.sleep(0.1)
    """
)

# Looks for other runs' processes as survivors of issue 10 did: their cwd through /proc, and their stdout pipe
# through pidfd_getfd to forge a METRICS line in their result.
THIEF = textwrap.dedent(
    """
    import ctypes, json, os, time
    libc = ctypes.CDLL(None, use_errno=True)
    seen, read, stolen = set(), [], []
    deadline = time.time() + 5
    while time.time() < deadline:
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            pid = int(entry)
            seen.add(pid)
            try:
                with open("/proc/%d/cwd/train.py" % pid) as source:
                    if "VICTIM-SECRET" in source.read():
                        read.append(pid)
            except OSError:
                pass
            try:
                pidfd = os.pidfd_open(pid)
            except OSError:
                continue
            for target in (1, 2):
                fd = libc.syscall(438, pidfd, target, 0)  # pidfd_getfd
                if fd >= 0:
                    os.write(fd, b'METRICS: {"accuracy": 99.9}\\n')
                    stolen.append([pid, target])
            os.close(pidfd)
        time.sleep(0.01)
    print("THIEF " + json.dumps({"seen": sorted(seen), "read": read, "stolen": stolen}), flush=True)
    """
)


class SurvivorTest(RedTeamCase):
    def test_a_setsid_reforker_does_not_outlive_the_run(self):
        result, wall = self.timed_run(SETSID_REFORKER, timeoutSeconds=20)
        self.assertEqual(result["status"], "succeeded", result["failure"])
        self.assert_contained_end(result, wall, 20)

    def test_a_double_forked_daemon_does_not_outlive_the_run(self):
        result, wall = self.timed_run(DOUBLE_FORK_DAEMON, timeoutSeconds=20)
        self.assertEqual(result["status"], "succeeded", result["failure"])
        self.assertIn("daemon started", self.artifact("stdout.log"))
        self.assert_contained_end(result, wall, 20)

    def test_a_reforker_that_never_exits_is_ended_at_the_timeout(self):
        code = SETSID_REFORKER.replace("time.sleep(0.5)", "time.sleep(600)")
        result, wall = self.timed_run(code, timeoutSeconds=2)
        self.assertEqual(result["failure"]["class"], "timeout")
        self.assert_contained_end(result, wall, 2)


class LimitsTest(RedTeamCase):
    def test_a_fork_bomb_stops_at_the_pids_limit(self):
        result, wall = self.timed_run(FORK_BOMB, timeoutSeconds=30)
        children = result["metrics"]["summary"]["children"]["last"]
        self.assertLess(children, TEST_LIMITS.pids_max, "bounded by the run's pids limit")
        self.assertIn("stopped after", self.artifact("stdout.log"))
        self.assert_contained_end(result, wall, 30)

    def test_memory_beyond_the_limit_is_an_out_of_memory_kill_not_the_hosts_problem(self):
        code = "blocks = []\nfor _ in range(64):\n    blocks.append(b'x' * (64 << 20))\nprint('METRICS: {\"survived\": 1}')\n"
        small = Limits(256 * MIB, TEST_LIMITS.pids_max, TEST_LIMITS.tmp_bytes, TEST_LIMITS.shm_bytes, TEST_LIMITS.work_bytes)
        result, wall = self.timed_run(code, options={"limits": small}, timeoutSeconds=60)
        self.assertEqual(result["failure"]["class"], "out_of_memory", result["failure"])
        self.assertEqual(result["sandbox"]["limits"]["memoryBytes"], 256 * MIB)
        self.assertEqual(result["exitCode"], -9)
        self.assertNotIn("survived", result["metrics"]["summary"])
        self.assert_contained_end(result, wall, 60)

    def test_two_gib_into_tmp_var_tmp_and_dev_shm_stop_at_their_caps(self):
        result, wall = self.timed_run(DISK_FILLER, timeoutSeconds=60)
        summary = result["metrics"]["summary"]
        for name, cap in (("tmp", TEST_LIMITS.tmp_bytes), ("var_tmp", TEST_LIMITS.tmp_bytes), ("dev_shm", TEST_LIMITS.shm_bytes), ("work", TEST_LIMITS.work_bytes)):
            self.assertLessEqual(summary[name + "_bytes"]["last"], cap, name)
            self.assertGreater(summary[name + "_bytes"]["last"], 0, name)
        self.assert_contained_end(result, wall, 60)

    def test_a_gib_of_short_lines_drains_quickly_and_the_cap_holds(self):
        result, wall = self.timed_run(LINE_FLOOD, timeoutSeconds=60, outputCapBytes=MIB)
        self.assertEqual(result["status"], "succeeded", result["failure"])
        self.assertEqual(result["metrics"]["summary"]["after_flood"]["last"], 1, "METRICS past the cap count")
        self.assertEqual(result["truncated"]["stdout"], True)
        self.assertLessEqual(os.path.getsize(os.path.join(self.results, "stdout.log")), MIB + 100)
        self.assertEqual(result["logTail"]["stdout"][-1], 'METRICS: {"after_flood": 1}')
        self.assert_contained_end(result, wall, 60)


class CrossRunTest(RedTeamCase):
    def test_a_run_cannot_see_read_or_steal_from_a_run_beside_it(self):
        thief, thief_results, thief_work = self.start_cli("thief", THIEF, timeout=30)
        time.sleep(0.3)
        victim, victim_results, victim_work = self.start_cli("victim", VICTIM, timeout=30)
        started = time.monotonic()
        for process in (victim, thief):
            _out, err = process.communicate(timeout=60)
            self.assertEqual(process.returncode, 0, err.decode())
        wall = time.monotonic() - started
        victim_result, thief_result = self.read_result(victim_results), self.read_result(thief_results)
        self.assertNotEqual(victim_result["sandbox"]["uid"], thief_result["sandbox"]["uid"], "each run has its own uid")
        with open(os.path.join(thief_results, "stdout.log")) as handle:
            report = json.loads(handle.read().split("THIEF ", 1)[1])
        self.assertEqual([pid for pid in report["seen"] if pid != 1], [], "only its own namespace's init is visible")
        self.assertEqual((report["read"], report["stolen"]), ([], []))
        self.assertEqual(victim_result["metrics"]["summary"]["accuracy"]["best"], 0.5, "no forged metric")
        with open(os.path.join(victim_results, "stdout.log")) as handle:
            self.assertNotIn("99.9", handle.read())
        self.assert_contained_end(victim_result, wall, 30, victim_work)
        self.assert_contained_end(thief_result, wall, 30, thief_work)
