"""The sandbox, end to end through the runner: timeout, process group, output cap, environment, user, progress."""

import json
import os
import textwrap
import unittest
from unittest import mock

from sherpa_runner.containment import SANDBOX_WORK
from tests.helpers import IS_ROOT, RunnerTestCase, child_python, process_alive, processes_of_uid

GRANDCHILD_THEN_HANG = textwrap.dedent(
    """
    import os, subprocess, sys, time
    # A grandchild that would outlive a plain kill of the child.
    grandchild = subprocess.Popen([sys.executable, "-c", "import time\\nwhile True: time.sleep(0.1)"])
    print("METRICS: " + '{"grandchild": %d}' % grandchild.pid, flush=True)
    while True:
        time.sleep(0.1)
    """
)


class TimeoutTest(RunnerTestCase):
    def assert_nothing_left(self, result):
        if "uid" in result["sandbox"]:
            # Contained: the pid the code saw is its namespace's; what counts is that its uid owns nothing now.
            self.assertEqual(processes_of_uid(result["sandbox"]["uid"]), [], "nothing of the run outlives it")
        else:
            self.assertFalse(process_alive(int(result["metrics"]["summary"]["grandchild"]["last"])))

    def test_the_whole_process_group_dies_at_the_timeout(self):
        result = self.run_job(self.job(self.write_code(GRANDCHILD_THEN_HANG), timeoutSeconds=1))
        self.assert_nothing_left(result)
        self.assertEqual(result["status"], "failed")
        self.assertEqual(result["failure"]["class"], "timeout")
        self.assertLess(result["exitCode"], 0, "killed by a signal")
        self.assertGreaterEqual(result["durationSeconds"], 1.0)

    def test_leftover_background_processes_die_when_the_code_exits(self):
        code = GRANDCHILD_THEN_HANG.replace("while True:\n    time.sleep(0.1)\n", "sys.exit(0)\n")
        result = self.run_job(self.job(self.write_code(code)))
        self.assertEqual(result["status"], "succeeded")
        self.assert_nothing_left(result)


class OutputCapTest(RunnerTestCase):
    def test_output_is_capped_but_metrics_after_the_cap_still_count(self):
        code = textwrap.dedent(
            """
            import sys
            for i in range(4000):
                print("noise line %05d " % i + "x" * 40)
                sys.stderr.write("err line %05d\\n" % i)
            print('METRICS: {"step": 1, "loss": 0.25}')
            print("last words")
            """
        )
        result = self.run_job(self.job(self.write_code(code), outputCapBytes=10000))
        self.assertEqual(result["status"], "succeeded")
        self.assertEqual(result["truncated"], {"stdout": True, "stderr": True})
        stdout_log = self.artifact("stdout.log")
        self.assertLessEqual(len(stdout_log.encode()), 10000 + 100)
        self.assertIn("output truncated at 10000 bytes", stdout_log)
        self.assertNotIn("last words", stdout_log)
        self.assertEqual(result["metrics"]["summary"]["loss"]["last"], 0.25)
        self.assertEqual(result["logTail"]["stdout"][-1], "last words", "the tail follows the stream, not the file")
        self.assertLessEqual(len(result["logTail"]["stdout"]), 100)

    def test_small_output_is_kept_whole(self):
        result = self.run_job(self.job(self.write_code("print('hello')\n")))
        self.assertEqual(result["truncated"], {"stdout": False, "stderr": False})
        self.assertEqual(self.artifact("stdout.log"), "hello\n")
        self.assertIn("stdout.log", result["artifacts"])


class EnvironmentTest(RunnerTestCase):
    def test_the_parent_environment_does_not_reach_the_code(self):
        secrets = {
            "SHERPA_TEST_SECRET": "parent-secret-value",
            "AWS_SECRET_ACCESS_KEY": "aws-secret-value",
            "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
            "SLACK_BOT_TOKEN": "xoxb-secret",
            "NEURON_RT_LOG_LEVEL": "WARNING",
        }
        code = "import json, os\nprint(json.dumps(dict(os.environ)))\n"
        job = self.job(
            self.write_code(code),
            env={"XLA_FLAGS": "--xla_dump_to=dump", "HF_TOKEN": "hf-secret", "LD_PRELOAD": "/evil.so", "NEURON_CC_FLAGS": "-O1", "AWS_REGION": "x"},
        )
        with mock.patch.dict(os.environ, secrets):
            result = self.run_job(job)
        seen = json.loads(self.artifact("stdout.log"))
        for value in list(secrets.values())[:-1] + ["hf-secret", "/evil.so"]:
            self.assertNotIn(value, json.dumps(seen))
        self.assertFalse([name for name in seen if name.startswith("AWS_")])
        self.assertEqual(seen["XLA_FLAGS"], "--xla_dump_to=dump")
        self.assertEqual(seen["NEURON_CC_FLAGS"], "-O1")
        self.assertEqual(seen["NEURON_RT_LOG_LEVEL"], "WARNING", "Neuron runtime settings of the host pass through")
        self.assertEqual(seen["PYTHONUNBUFFERED"], "1")
        self.assertEqual(seen["SHERPA_RUN_BUDGET_SECONDS"], "54", "60 s less the cleanup margin")
        expected_home = SANDBOX_WORK if IS_ROOT else self.work_root
        self.assertTrue(seen["HOME"].startswith(expected_home), "HOME is the fresh run folder")
        self.assertEqual(sorted(result["sandbox"]["envKeys"]), sorted(seen))
        self.assertEqual(result["sandbox"]["rejectedEnvKeys"], ["AWS_REGION", "HF_TOKEN", "LD_PRELOAD"])

    def test_each_run_gets_a_fresh_folder_that_is_removed_afterwards(self):
        code = "import os\nprint(os.getcwd())\nprint(sorted(os.listdir('.')))\nopen('left-behind', 'w').write('x')\n"
        self.run_job(self.job(self.write_code(code)))
        first_dir, listing = self.artifact("stdout.log").splitlines()
        self.assertEqual(listing, "['.sherpa', 'train.py']" if IS_ROOT else "['.sherpa', 'tmp', 'train.py']")
        self.assertEqual(os.listdir(os.path.join(self.work_root, "runs")), [], "the run folder is removed")
        self.run_job(self.job(self.write_code(code), runId="run-test-2"))
        second_dir, listing = self.artifact("stdout.log").splitlines()
        self.assertNotIn("left-behind", listing, "nothing of the first run is there")
        if not IS_ROOT:
            self.assertNotEqual(second_dir, first_dir)


@unittest.skipUnless(IS_ROOT, "switching users needs root")
class UserTest(RunnerTestCase):
    def test_the_code_never_runs_as_root(self):
        result = self.run_job(self.job(self.write_code("import os\nprint(os.getuid(), os.getgid(), os.getgroups())\n")))
        uid, gid, groups = self.artifact("stdout.log").split(" ", 2)
        self.assertNotEqual(int(uid), 0)
        self.assertNotEqual(int(gid), 0)
        self.assertEqual(groups.strip(), "[]", "supplementary groups (root's) are dropped")
        self.assertEqual(int(uid), result["sandbox"]["uid"])
        self.assertTrue(61000 <= int(uid) <= 61999, "a uid of the reserved range")
        self.assertEqual(result["sandbox"]["user"], "sherpa-run-%s" % uid)

    def test_a_work_root_under_a_private_folder_is_reachable(self):
        # Issue 10 found item 11: COMPUTE=local with DATA_DIR at 0700 failed with "Permission denied" on train.py.
        private = os.path.join(self.tmp, "data")
        os.makedirs(private, mode=0o700)
        os.chmod(private, 0o700)
        result = self.run_job(self.job(self.write_code("print('reached')\n")), work_root=os.path.join(private, "runner-work"))
        self.assertEqual(result["status"], "succeeded", result["failure"])
        self.assertEqual(self.artifact("stdout.log"), "reached\n")

    def test_a_sandbox_failure_is_the_runners_not_the_codes(self):
        # An interpreter the run's uid may not execute: Sherpa's fault, so runner_error, never nonzero_exit.
        hidden = os.path.join(self.tmp, "root-only")
        os.makedirs(hidden, mode=0o700)
        os.chmod(hidden, 0o700)
        python = os.path.join(hidden, "python3")
        os.symlink(child_python(), python)
        result = self.run_job(self.job(self.write_code("print('never')\n")), python=python)
        self.assertEqual(result["failure"]["class"], "runner_error")
        self.assertIn("sandbox (start the code)", result["failure"]["message"])
        self.assertIn("Permission denied", result["failure"]["message"])
        self.assertIsNone(result["exitCode"])

    def test_the_code_cannot_read_the_runner_files(self):
        # The runner's scratch folder (job.json, logs, results) is in the host's /tmp, which the code never sees.
        code = "import glob, os\npaths = glob.glob('/tmp/sherpa-scratch-*')\nprint(len(paths) > 0, [p for p in paths if os.access(p + '/job.json', os.R_OK)])\n"
        self.run_job(self.job(self.write_code(code)))
        self.assertEqual(self.artifact("stdout.log").strip(), "False []", "the scratch folder is not even visible")


class ProgressTest(RunnerTestCase):
    def test_progress_is_published_while_the_code_runs_and_ends_done(self):
        progress_path = os.path.join(self.results, "progress.json")
        code = textwrap.dedent(
            """
            import json, sys, time
            print("step 1 done", flush=True)
            deadline = time.time() + 20
            while time.time() < deadline:
                try:
                    seen = json.load(open(%r))
                except (OSError, ValueError):
                    seen = {}
                if seen.get("phase") == "running" and seen.get("lastLogLine") == "step 1 done":
                    print("saw progress " + json.dumps(seen))
                    sys.exit(0)
                time.sleep(0.05)
            sys.exit(3)
            """
            % progress_path
        )
        os.makedirs(self.results)
        result = self.run_job(self.job(self.write_code(code)), progress_interval=0.1)
        self.assertEqual(result["status"], "succeeded", self.artifact("stdout.log"))
        seen = json.loads(self.artifact("stdout.log").splitlines()[-1][len("saw progress ") :])
        self.assertEqual(seen["runId"], "run-test-1")
        self.assertGreater(seen["elapsedSeconds"], 0)
        with open(progress_path) as final:
            final_progress = json.load(final)
        self.assertEqual(final_progress["phase"], "done")


if __name__ == "__main__":
    unittest.main()
