"""Spot interruption and resume with a real PyTorch script that checkpoints (issue 12, items 3 and 6).

A loopback IMDSv2 fake (tests/imds_fake.py) stands in for the instance's metadata service; the runner finds it
through AWS_EC2_METADATA_SERVICE_ENDPOINT. The notice is raised mid-run, once the periodic sync has put a first
checkpoint under the results prefix.
"""

import glob
import json
import os
import subprocess
import threading
import time
from unittest import mock

from sherpa_runner.runner import run
from tests.helpers import RunnerTestCase, _Sink, child_python
from tests.imds_fake import ImdsFake

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "checkpointing_script.py")
STEPS = 150


def torch_missing():
    done = subprocess.run([child_python(), "-c", "import torch"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return None if done.returncode == 0 else "needs PyTorch for %s (apt-get install python3-torch)" % child_python()


def read(path):
    with open(path) as handle:
        return handle.read()


def wait_for(predicate, seconds=90.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


class SpotCase(RunnerTestCase):
    def setUp(self):
        super().setUp()
        self.fake = ImdsFake().start()
        self.addCleanup(self.fake.close)
        patcher = mock.patch.dict(os.environ, {"AWS_EC2_METADATA_SERVICE_ENDPOINT": self.fake.endpoint})
        patcher.start()
        self.addCleanup(patcher.stop)
        del os.environ["AWS_EC2_METADATA_DISABLED"]

    def attempt(self, job, **options):
        results = job["resultsUri"][len("file://"):]
        job_path = os.path.join(self.tmp, "job-%s.json" % job["runId"])
        with open(job_path, "w") as handle:
            json.dump(job, handle)
        settings = dict(spot_poll_seconds=0.2, sync_reserve_seconds=1.0)
        settings.update(options)
        with mock.patch("sys.stdout", new_callable=_Sink):
            self.assertEqual(run("file://" + job_path, self.options(**settings)), 0)
        with open(os.path.join(results, "result.json")) as handle:
            return json.load(handle)

    def results_dir(self, name):
        return os.path.join(self.tmp, name)

    def when(self, predicate, action):
        """Runs `action` in the background once `predicate` holds (the runner runs in this thread)."""
        fired = threading.Event()

        def watch():
            if wait_for(predicate):
                action()
                fired.set()

        thread = threading.Thread(target=watch, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 5)
        return fired


class InterruptAndResumeTest(SpotCase):
    def setUp(self):
        reason = torch_missing()
        if reason:
            self.skipTest(reason)
        super().setUp()

    def manifest(self, results):
        with open(os.path.join(results, "checkpoint", "MANIFEST.json")) as handle:
            return json.load(handle)

    def checkpointed_step(self, results):
        entry = next(entry for entry in self.manifest(results)["files"] if entry["path"] == "checkpoint.pt")
        stored = os.path.join(results, "checkpoint", "objects", entry["sha256"])
        done = subprocess.run([child_python(), "-c", "import sys, torch; print(torch.load(sys.argv[1])['step'])", stored],
                              stdout=subprocess.PIPE, check=True)
        return int(done.stdout)

    def test_an_interrupted_run_saves_on_sigterm_and_the_next_attempt_continues_its_series(self):
        code = self.write_code(read(SCRIPT))
        first_results = self.results_dir("attempt-1")
        first_manifest = os.path.join(first_results, "checkpoint", "MANIFEST.json")
        fired = self.when(lambda: os.path.exists(first_manifest), lambda: self.fake.raise_interruption(8))
        first = self.attempt(self.job(code, runId="run-spot-1", resultsUri="file://%s/" % first_results, checkpointSyncSeconds=1))
        self.assertTrue(fired.is_set(), "the notice was raised mid-run")
        self.assertEqual(first["status"], "interrupted")
        self.assertIsNone(first["failure"])
        self.assertEqual(first["exitCode"], 0, "the script saved and exited on SIGTERM")
        interruption = first["interruption"]
        self.assertEqual(interruption["action"], "terminate")
        self.assertTrue(interruption["stoppedWithinGrace"])
        self.assertLess(interruption["stopSeconds"], interruption["graceSeconds"])
        self.assertGreater(interruption["graceSeconds"], 4.0)
        self.assertEqual(first["profile"]["kind"], "none")
        stdout = read(os.path.join(first_results, "stdout.log")).splitlines()
        saved = int(next(line for line in stdout if line.startswith("SAVED_ON_SIGTERM")).split()[1])
        self.assertLess(saved, STEPS, "stopped before the end")
        self.assertEqual(self.checkpointed_step(first_results), saved, "the synced checkpoint is the one saved on SIGTERM")
        first_steps = [point["step"] for point in first["metrics"]["series"]["loss"]]
        self.assertEqual(first_steps, list(range(1, saved + 1)))
        checkpoint = first["checkpoint"]
        self.assertEqual(checkpoint["uri"], "file://%s/checkpoint/" % first_results)
        self.assertGreaterEqual(checkpoint["syncs"], 2, "a periodic sync before the notice, the final one after it")
        self.assertEqual(checkpoint["files"], 1, "the .tmp file being written is never kept")
        execution = first["execution"]
        self.assertEqual((execution["interruptions"], execution["resumes"]), (1, 0))
        self.assertEqual(execution["instance"], {"id": "i-0fa5e1c0ffee12345", "type": "trn1.2xlarge", "amiId": "ami-0neuron2026dlami", "market": "spot"})

        second_results = self.results_dir("attempt-2")
        job = self.job(code, runId="run-spot-1-a2", resultsUri="file://%s/" % second_results, checkpointSyncSeconds=1,
                       resumeFrom={"checkpointUri": checkpoint["uri"]}, priorInterruptions=1)
        self.fake.instance_action = None  # another instance, no notice
        second = self.attempt(job)
        self.assertEqual(second["status"], "succeeded", second["logTail"])
        self.assertIn("RESUMED_FROM %d" % saved, read(os.path.join(second_results, "stdout.log")))
        second_steps = [point["step"] for point in second["metrics"]["series"]["loss"]]
        self.assertEqual(second_steps, list(range(saved + 1, STEPS + 1)), "no repeated step, no gap")
        self.assertEqual(sorted(first_steps + second_steps), list(range(1, STEPS + 1)))
        self.assertEqual((second["execution"]["interruptions"], second["execution"]["resumes"]), (1, 1))
        self.assertEqual(second["checkpoint"]["restoredFrom"]["uri"], checkpoint["uri"])
        self.assertEqual(second["checkpoint"]["restoredFrom"]["files"], 1)

    def test_execution_info_is_present_and_sane(self):
        result = self.attempt(self.job(self.write_code(read(SCRIPT)), runId="run-exec-1",
                                       resultsUri="file://%s/" % self.results_dir("exec")))
        self.assertEqual(result["status"], "succeeded")
        execution = result["execution"]
        self.assertGreaterEqual(execution["wallSeconds"], result["durationSeconds"])
        self.assertEqual(execution["runnerVersion"], __import__("sherpa_runner").__version__)
        throughput = execution["throughput"]
        self.assertEqual((throughput["unit"], throughput["source"]), ("steps/s", "runner"))
        # 150 steps with a 30 ms sleep each: at most ~33 steps/s, and surely more than 1.
        self.assertTrue(1 < throughput["value"] < 40, throughput)
        self.assertGreater(execution["peakHostMemoryBytes"], 20 * 1024 * 1024, "a python with torch loaded")
        self.assertLess(execution["peakHostMemoryBytes"], 768 * 1024 * 1024, "under the test's memory limit")
        self.assertEqual(execution["instance"]["market"], "spot")
        self.assertNotIn("device", execution, "the cpu backend names no accelerator")
        self.assertNotIn("interruption", result)


class SyncTest(SpotCase):
    STATE_WRITER = (
        "import os, time\n"
        "folder = os.environ['SHERPA_CHECKPOINT_DIR']\n"
        "for tick in range(%d):\n"
        "    with open(os.path.join(folder, 'state.json.tmp'), 'w') as out:\n"
        "        out.write('{\"tick\": %%d}' %% tick)\n"
        "    os.replace(os.path.join(folder, 'state.json.tmp'), os.path.join(folder, 'state.json'))\n"
        "    time.sleep(0.5)\n"
    )

    def test_the_checkpoint_is_synced_periodically_while_the_run_goes_on(self):
        results = self.results_dir("periodic")
        manifest = os.path.join(results, "checkpoint", "MANIFEST.json")
        seen = set()

        def observe():
            while not os.path.exists(os.path.join(results, "result.json")):
                try:
                    seen.add(json.dumps(json.loads(read(manifest))["files"]))
                except (OSError, ValueError, KeyError):
                    pass
                time.sleep(0.05)

        observer = threading.Thread(target=observe, daemon=True)
        observer.start()
        result = self.attempt(self.job(self.write_code(self.STATE_WRITER % 8), runId="run-sync-1",
                                       resultsUri="file://%s/" % results, checkpointSyncSeconds=1))
        observer.join(5)
        self.assertEqual(result["status"], "succeeded")
        self.assertGreaterEqual(result["checkpoint"]["syncs"], 2)
        self.assertGreaterEqual(len(seen), 2, "two different checkpoints were synced before the run ended")

    def test_a_rebalance_recommendation_syncs_at_once_and_is_recorded(self):
        results = self.results_dir("rebalance")

        def written():  # the code has started and saved its first state (the runner's work folder, seen as root)
            return bool(glob.glob(os.path.join(self.work_root, "runs", "*", "work", ".sherpa", "checkpoint", "state.json")))

        self.when(written, self.fake.raise_rebalance)
        result = self.attempt(self.job(self.write_code(self.STATE_WRITER % 6), runId="run-rebalance-1",
                                       resultsUri="file://%s/" % results, checkpointSyncSeconds=600))
        self.assertEqual(result["status"], "succeeded")
        self.assertEqual(result["checkpoint"]["syncs"], 1, "the interval is 10 minutes: the one sync is the rebalance's")
        self.assertTrue(os.path.exists(os.path.join(results, "checkpoint", "MANIFEST.json")))
        self.assertRegex(result["execution"]["rebalanceRecommendedAt"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    def test_code_that_ignores_sigterm_is_killed_when_the_grace_runs_out(self):
        code = (
            "import os, signal, time\n"
            "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            "open(os.path.join(os.environ['SHERPA_CHECKPOINT_DIR'], 'weights.bin'), 'wb').write(b'w' * 1000)\n"
            "time.sleep(120)\n"
        )
        results = self.results_dir("stubborn")
        manifest = os.path.join(results, "checkpoint", "MANIFEST.json")
        self.when(lambda: os.path.exists(manifest), lambda: self.fake.raise_interruption(2))
        result = self.attempt(self.job(self.write_code(code), runId="run-stubborn-1", resultsUri="file://%s/" % results,
                                       checkpointSyncSeconds=1))
        self.assertEqual(result["status"], "interrupted")
        self.assertEqual(result["exitCode"], -9)
        self.assertFalse(result["interruption"]["stoppedWithinGrace"])
        self.assertEqual(result["interruption"]["graceSeconds"], 5.0, "never less than the minimum grace")
        self.assertEqual(result["checkpoint"]["files"], 1)

    def test_a_checkpoint_that_cannot_be_restored_stops_the_run_before_the_code(self):
        code = self.write_code("open('ran', 'w')\n")
        results = self.results_dir("no-checkpoint")
        job = self.job(code, runId="run-restore-1", resultsUri="file://%s/" % results,
                       resumeFrom={"checkpointUri": "file://%s/" % os.path.join(self.tmp, "nowhere")})
        result = self.attempt(job)
        self.assertEqual(result["failure"]["class"], "runner_error")
        self.assertIn("could not be restored, the code was not run", result["failure"]["message"])
        self.assertIsNone(result["exitCode"])
