"""Test equipment for the red-team suite: what each case needs, and the checks every case ends with."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import unittest
from typing import Any, Dict, List, Optional

from sherpa_runner import cgroups
from tests.helpers import IS_ROOT, PROJECT_ROOT, TEST_LIMITS, RunnerTestCase, child_python, processes_of_uid

RUNNER_DIR = os.path.join(PROJECT_ROOT, "trainium-runner")
SHARED_DIRS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")
# The runner's own environment for a CLI run: the tests' small limits.
LIMIT_ENV = {
    "SHERPA_MEMORY_LIMIT_MB": str(TEST_LIMITS.memory_bytes >> 20),
    "SHERPA_PIDS_MAX": str(TEST_LIMITS.pids_max),
    "SHERPA_TMP_SIZE_MB": str(TEST_LIMITS.tmp_bytes >> 20),
    "SHERPA_SHM_SIZE_MB": str(TEST_LIMITS.shm_bytes >> 20),
    "SHERPA_WORK_SIZE_MB": str(TEST_LIMITS.work_bytes >> 20),
}


def missing_kernel_feature() -> Optional[str]:
    """Why the kernel paths cannot be exercised here, or None."""
    if not IS_ROOT:
        return "containment needs root (CI runs as root)"
    try:
        group = cgroups.create()
        group.remove()
    except cgroups.CgroupUnavailable as error:
        return str(error)
    if not os.path.exists("/proc/self/ns/pid"):
        return "no PID namespaces"
    return None


class RedTeamCase(RunnerTestCase):
    def setUp(self) -> None:
        reason = missing_kernel_feature()
        if reason:
            self.skipTest(reason)
        super().setUp()
        self.shared_before = {path: self._entries(path) for path in SHARED_DIRS}

    @staticmethod
    def _entries(path: str) -> set:
        try:
            return set(os.listdir(path))
        except OSError:
            return set()

    def files_of_uid(self, uid: int) -> List[str]:
        """Anything the run's uid owns in the host's shared folders or the test's own folder."""
        owned = []
        for root in SHARED_DIRS + (self.tmp,):
            for folder, dirs, files in os.walk(root):
                if folder.count(os.sep) - root.count(os.sep) > 2:
                    dirs[:] = []
                for name in dirs + files:
                    path = os.path.join(folder, name)
                    try:
                        if os.lstat(path).st_uid == uid:
                            owned.append(path)
                    except OSError:
                        continue
        return owned

    def assert_contained_end(self, result: Dict[str, Any], wall_seconds: float, timeout: float, work_root: str = "") -> None:
        uid = result["sandbox"]["uid"]
        self.assertEqual(result["sandbox"]["containment"], "kernel")
        self.assertEqual(processes_of_uid(uid), [], "nothing of the run is left running")
        self.assertEqual(self.files_of_uid(uid), [], "nothing of the run is left on disk")
        runs = os.path.join(work_root or self.work_root, "runs")
        self.assertEqual(os.listdir(runs) if os.path.isdir(runs) else [], [], "the run folder is gone")
        leftover_groups = [
            name
            for base in ("/sys/fs/cgroup/pids/sherpa-runner", "/sys/fs/cgroup/memory/sherpa-runner", "/sys/fs/cgroup/sherpa-runner")
            if os.path.isdir(base)
            for name in os.listdir(base)
            if name.startswith("run-%d-" % os.getpid())
        ]
        self.assertEqual(leftover_groups, [], "the run's cgroup is removed")
        # The kill grace (5 s) and the runner's own start and upload on a loaded 2-core machine on top.
        self.assertLess(result["durationSeconds"], timeout + 6)
        self.assertLess(wall_seconds, timeout + 30)

    def timed_run(self, code: str, options: Optional[Dict[str, Any]] = None, **job_overrides: Any):
        job = self.job(self.write_code(code), **job_overrides)
        started = time.monotonic()
        result = self.run_job(job, **(options or {}))
        return result, time.monotonic() - started

    def start_cli(self, name: str, code: str, timeout: int, network: str = "none", env: Optional[Dict[str, str]] = None):
        """The runner as SSM starts it, in the background: returns (process, results folder, work root)."""
        folder = os.path.join(self.tmp, name)
        os.makedirs(folder)
        os.chmod(folder, 0o755)
        code_path = os.path.join(folder, "train.py")
        with open(code_path, "w") as handle:
            handle.write(code)
        results = os.path.join(folder, "results")
        job = self.job(code_path, runId="run-" + name, resultsUri="file://" + results + "/", timeoutSeconds=timeout)
        with open(os.path.join(folder, "job.json"), "w") as handle:
            json.dump(job, handle)
        work_root = os.path.join(folder, "work")
        command = [sys.executable, "-m", "sherpa_runner", "--job", os.path.join(folder, "job.json"), "--work-root", work_root]
        command += ["--python", child_python(), "--network", network]
        process_env = dict(os.environ, PYTHONPATH=RUNNER_DIR, **LIMIT_ENV)
        process_env.update(env or {})
        process = subprocess.Popen(command, cwd=RUNNER_DIR, env=process_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return process, results, work_root

    @staticmethod
    def read_result(results: str) -> Dict[str, Any]:
        with open(os.path.join(results, "result.json")) as handle:
            return json.load(handle)


def have_tools(*names: str) -> Optional[str]:
    missing = [name for name in names if shutil.which(name) is None]
    return None if not missing else "needs %s" % ", ".join(missing)


def skip_without(*names: str):
    reason = have_tools(*names)
    return unittest.skipIf(reason is not None, reason or "")
