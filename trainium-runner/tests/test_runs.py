"""Whole runs on the cpu and cuda backends, fetch failures, exceptions, S3 through a fake `aws`, the real log."""

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from unittest import mock

from sherpa_runner.runner import RunnerOptions, run
from tests import fakes
from tests.helpers import IS_ROOT, PROJECT_ROOT, RunnerTestCase, child_python, read_fixture, write_executable

REAL_RUN = json.loads(read_fixture("trn1-execution-result-success.json"))


class CpuRunTest(RunnerTestCase):
    def test_a_successful_run(self):
        code = 'for s in range(3):\n    print(\'METRICS: {"step": %d, "loss": %s}\' % (s, 1.0 / (s + 1)))\n'
        result = self.run_job(self.job(self.write_code(code)))
        self.assertEqual(result["status"], "succeeded")
        self.assertEqual(result["exitCode"], 0)
        self.assertIsNone(result["failure"])
        self.assertEqual(result["profile"], {"kind": "none", "reason": "the cpu backend has no profiler"})
        self.assertEqual(result["metrics"]["summary"]["loss"]["best"], 1.0 / 3)
        self.assertEqual(result["schemaVersion"], 1)
        self.assertTrue(result["startedAt"].endswith("Z"))

    def test_an_exception_is_classified_with_its_frame(self):
        code = "def main():\n    raise ValueError('bad shape')\n\nmain()\n"
        result = self.run_job(self.job(self.write_code(code)))
        self.assertEqual(result["status"], "failed")
        self.assertEqual(result["exitCode"], 1)
        self.assertEqual(result["failure"], {"class": "python_exception", "message": "ValueError: bad shape (at train.py:2 in main)"})
        self.assertEqual(result["logTail"]["stderr"][-1], "ValueError: bad shape")

    def test_the_real_trn1_output_replayed_is_a_success_without_metrics(self):
        replay = textwrap.dedent(
            """
            import sys
            sys.stdout.write(%r)
            sys.stderr.write(%r)
            """
        ) % (REAL_RUN["stdout"], REAL_RUN["stderr"])
        result = self.run_job(self.job(self.write_code(replay)))
        self.assertEqual(result["status"], "succeeded")
        self.assertEqual(result["metrics"], {"series": {}, "summary": {}})
        self.assertEqual(result["logTail"]["stdout"][-1], "Test Accuracy: 46.06%")
        self.assertEqual(result["logTail"]["stderr"][-1], "nrtucode: internal error: 54 object(s) leaked, improper teardown")
        self.assertEqual(self.artifact("stdout.log"), REAL_RUN["stdout"])


class BudgetTest(RunnerTestCase):
    def test_the_job_may_set_the_training_budget_itself(self):
        code = "import os\nprint(os.environ['SHERPA_RUN_BUDGET_SECONDS'])\n"
        self.run_job(self.job(self.write_code(code), env={"SHERPA_RUN_BUDGET_SECONDS": "42"}))
        self.assertEqual(self.artifact("stdout.log").strip(), "42")

    def test_the_default_budget_leaves_a_margin(self):
        from sherpa_runner.backends import training_budget_seconds

        self.assertEqual([training_budget_seconds(t) for t in (1, 30, 600, 7200)], [1, 25, 540, 6900])


class CudaRunWithoutTorchTest(RunnerTestCase):
    """The real torch.profiler path is exercised on a GPU machine (bench/gpu-runner-overhead.ts).

    Needs an interpreter that cannot import torch, whatever this machine has installed (Debian's python3-torch
    for /usr/bin/python3, say): the test makes one, the child interpreter without its site directories.
    """

    def python_without_torch(self) -> str:
        return write_executable(self.bin, "python-no-site", "#!/bin/sh\nexec %s -S \"$@\"\n" % child_python())

    def test_without_torch_the_script_still_runs_under_the_wrapper(self):
        code = "import sys\nprint('argv', sys.argv[0].endswith('train.py'), __name__)\nprint('METRICS: {\"loss\": 1}')\n"
        result = self.run_job(self.job(self.write_code(code), backend="cuda"), python=self.python_without_torch())
        self.assertEqual(result["status"], "succeeded")
        self.assertIn("argv True __main__", self.artifact("stdout.log"))
        self.assertEqual(result["profile"]["kind"], "none")
        self.assertIn("torch.profiler is not importable", result["profile"]["reason"])

    def test_the_wrapper_passes_the_scripts_exit_status_on(self):
        result = self.run_job(self.job(self.write_code("import sys\nsys.exit(4)\n"), backend="cuda"), python=self.python_without_torch())
        self.assertEqual((result["exitCode"], result["failure"]["class"]), (4, "nonzero_exit"))


class FetchTest(RunnerTestCase):
    def test_missing_code_is_fetch_failed(self):
        result = self.run_job(self.job(os.path.join(self.tmp, "nowhere.py")))
        self.assertEqual(result["failure"]["class"], "fetch_failed")
        self.assertIsNone(result["exitCode"])
        self.assertEqual(result["artifacts"], [])

    def test_a_sha256_code_hash_is_verified(self):
        path = self.write_code("print('approved')\n")
        digest = hashlib.sha256(b"print('approved')\n").hexdigest()
        self.assertEqual(self.run_job(self.job(path, codeHash=digest))["status"], "succeeded")
        self.assertEqual(self.run_job(self.job(path, codeHash="sha256:" + digest, runId="run-test-2"))["status"], "succeeded")
        result = self.run_job(self.job(path, codeHash="0" * 64, runId="run-test-3"))
        self.assertEqual(result["failure"]["class"], "fetch_failed")
        self.assertIn("code hash mismatch", result["failure"]["message"])


class ExactlyOnceTest(RunnerTestCase):
    def test_a_run_id_that_already_started_here_is_refused_and_its_result_kept(self):
        code = self.write_code("import os\nopen(os.path.join(os.environ['HOME'], 'ran'), 'w')\nprint('METRICS: {\"loss\": 0.5}')\n")
        first = self.run_job(self.job(code))
        job_path = os.path.join(self.tmp, "again.json")
        with open(job_path, "w") as handle:
            json.dump(self.job(code), handle)
        env = dict(os.environ, PYTHONPATH=os.path.join(PROJECT_ROOT, "trainium-runner"))
        command = [sys.executable, "-m", "sherpa_runner", "--job", job_path, "--work-root", self.work_root]
        command += ["--python", child_python(), "--network", "none"] + ([] if IS_ROOT else ["--unconfined"])
        again = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(again.returncode, 4, again.stderr.decode())
        self.assertEqual(again.stdout.decode().strip(), "SHERPA_ALREADY_STARTED runId=run-test-1")
        self.assertIn("already started on this machine", again.stderr.decode())
        self.assertEqual(self.result(), first, "the first run's result.json is untouched")


class S3Test(RunnerTestCase):
    def test_job_code_and_results_go_through_the_aws_cli(self):
        bucket_root = os.path.join(self.tmp, "s3")
        fakes.aws_s3(self.bin, bucket_root)
        os.makedirs(os.path.join(bucket_root, "bucket", "code"))
        with open(os.path.join(bucket_root, "bucket", "code", "train.py"), "w") as code:
            code.write("print('METRICS: {\"loss\": 0.5}')\n")
        job = self.job("unused", codeUri="s3://bucket/code/train.py", resultsUri="s3://bucket/runs/r1/")
        os.makedirs(os.path.join(bucket_root, "bucket", "jobs"))
        with open(os.path.join(bucket_root, "bucket", "jobs", "r1.json"), "w") as spec:
            json.dump(job, spec)
        options = self.options()
        with mock.patch.dict(os.environ, {"SHERPA_AWS_CLI": os.path.join(self.bin, "aws")}):
            self.assertEqual(run("s3://bucket/jobs/r1.json", options), 0)
        results = os.path.join(bucket_root, "bucket", "runs", "r1")
        with open(os.path.join(results, "result.json")) as raw:
            result = json.load(raw)
        self.assertEqual(result["status"], "succeeded")
        self.assertEqual(sorted(os.listdir(results)), ["progress.json", "result.json", "stderr.log", "stdout.log"])
        with open(os.path.join(results, "progress.json")) as raw:
            self.assertEqual(json.load(raw)["phase"], "done")

    def test_an_unreadable_job_exits_2(self):
        self.assertEqual(run("file://" + os.path.join(self.tmp, "missing.json"), RunnerOptions(work_root=self.work_root)), 2)
