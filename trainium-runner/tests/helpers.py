"""Test equipment: temp folders the sandbox user can reach, fake executables, a job runner."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import unittest
from typing import Any, Dict
from unittest import mock

from sherpa_runner.containment import MIB, Limits
from sherpa_runner.runner import RunnerOptions, run

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
PROJECT_ROOT = os.path.dirname(os.path.dirname(TESTS_DIR))
FIXTURES = os.path.join(PROJECT_ROOT, "test", "fixtures", "neuron")
IS_ROOT = os.geteuid() == 0
# As root the code runs contained: its /tmp is a fresh tmpfs, so code and fake tools must live elsewhere, in a
# folder every uid can traverse.
TEST_ROOT = "/run/sherpa-runner-tests" if IS_ROOT else tempfile.gettempdir()
# Small on purpose: the red-team cases fill them in a fraction of a second.
TEST_LIMITS = Limits(memory_bytes=768 * MIB, pids_max=256, tmp_bytes=64 * MIB, shm_bytes=64 * MIB, work_bytes=128 * MIB)


def fixture_path(name: str) -> str:
    return os.path.join(FIXTURES, name)


def read_fixture(name: str) -> str:
    with open(fixture_path(name)) as handle:
        return handle.read()


def child_python() -> str:
    """As root the code runs as a fresh uid, which cannot reach an interpreter under /root (pyenv)."""
    if IS_ROOT and os.path.exists("/usr/bin/python3"):
        return "/usr/bin/python3"
    return sys.executable


def write_executable(folder: str, name: str, body: str) -> str:
    path = os.path.join(folder, name)
    with open(path, "w") as handle:
        handle.write(body)
    os.chmod(path, 0o755)
    return path


class RunnerTestCase(unittest.TestCase):
    """Each test gets a world-traversable temp folder (the sandbox user must reach code and fake tools)."""

    def setUp(self) -> None:
        os.makedirs(TEST_ROOT, mode=0o755, exist_ok=True)
        self.tmp = tempfile.mkdtemp(prefix="sherpa-runner-test-", dir=TEST_ROOT)
        os.chmod(self.tmp, 0o755)
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.bin = os.path.join(self.tmp, "bin")
        os.makedirs(self.bin)
        os.chmod(self.bin, 0o755)
        self.results = os.path.join(self.tmp, "results")
        self.work_root = os.path.join(self.tmp, "work")
        # Fake tools first on PATH; the runner's environment is what the child inherits PATH from.
        # No instance metadata service unless a test brings its own fake (tests/imds_fake.py): the runner's spot
        # watcher must not probe 169.254.169.254 from a developer's machine.
        patcher = mock.patch.dict(
            os.environ, {"PATH": self.bin + os.pathsep + os.environ.get("PATH", ""), "AWS_EC2_METADATA_DISABLED": "true"}
        )
        patcher.start()
        self.addCleanup(patcher.stop)

    def write_code(self, source: str, name: str = "train.py") -> str:
        path = os.path.join(self.tmp, name)
        with open(path, "w") as handle:
            handle.write(source)
        os.chmod(path, 0o644)
        return path

    def job(self, code_path: str, **overrides: Any) -> Dict[str, Any]:
        job = {
            "schemaVersion": 1,
            "runId": "run-test-1",
            "paperId": "paper-1",
            "codeHash": "not-a-sha",
            "codeUri": "file://" + code_path,
            "resultsUri": "file://" + self.results + "/",
            "backend": "cpu",
            "timeoutSeconds": 60,
        }
        job.update(overrides)
        return job

    def options(self, progress_interval: float = 30.0, **overrides: Any) -> RunnerOptions:
        """Contained as root (network namespace: the host has no metadata block); unconfined otherwise."""
        settings = dict(
            progress_interval_seconds=progress_interval,
            work_root=self.work_root,
            python=child_python(),
            network="none",
            unconfined=not IS_ROOT,
            limits=TEST_LIMITS,
        )  # type: Dict[str, Any]
        settings.update(overrides)
        return RunnerOptions(**settings)

    def run_job(self, job: Dict[str, Any], progress_interval: float = 30.0, **overrides: Any) -> Dict[str, Any]:
        job_path = os.path.join(self.tmp, "job-%s.json" % job["runId"])
        with open(job_path, "w") as handle:
            json.dump(job, handle)
        with mock.patch("sys.stdout", new_callable=_Sink):
            exit_code = run("file://" + job_path, self.options(progress_interval, **overrides))
        self.assertEqual(exit_code, 0, "the runner must write result.json")
        return self.result()

    def result(self) -> Dict[str, Any]:
        with open(os.path.join(self.results, "result.json")) as handle:
            return json.load(handle)

    def artifact(self, name: str) -> str:
        with open(os.path.join(self.results, name), errors="replace") as handle:
            return handle.read()


class _Sink:
    def write(self, _text: str) -> int:
        return 0

    def flush(self) -> None:
        pass


def process_alive(pid: int) -> bool:
    """Alive and not a zombie (a container's init may never reap an orphan)."""
    try:
        with open("/proc/%d/status" % pid) as status:
            state = next((line for line in status if line.startswith("State:")), "")
    except OSError:
        return False
    return "Z" not in state.split()[1:2]


def processes_of_uid(uid: int) -> list:
    """Host pids of live (non-zombie) processes whose real or effective uid is `uid`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/status" % entry) as status:
                lines = {line.split(":", 1)[0]: line.split(":", 1)[1].split() for line in status if ":" in line}
        except OSError:
            continue
        if str(uid) in lines.get("Uid", [])[:2] and "Z" not in lines.get("State", [""])[:1]:
            found.append(int(entry))
    return found
