"""bootstrap.sh as SSM would run it: fetch the runner by hash, verify, cache, run the job."""

import hashlib
import json
import os
import shutil
import subprocess
import zipfile

from sherpa_runner import pack
from tests.helpers import IS_ROOT, PROJECT_ROOT, RunnerTestCase, child_python

BOOTSTRAP = os.path.join(PROJECT_ROOT, "trainium-runner", "bootstrap.sh")


class PackTest(RunnerTestCase):
    def test_the_tarball_is_reproducible(self):
        self.assertEqual(pack.build(), pack.build())


class BootstrapTest(RunnerTestCase):
    def setUp(self):
        super().setUp()
        data = pack.build()
        self.sha = hashlib.sha256(data).hexdigest()
        self.tarball = os.path.join(self.tmp, "runner-%s.tar.gz" % self.sha)
        with open(self.tarball, "wb") as out:
            out.write(data)
        self.cache = os.path.join(self.tmp, "cache")
        job = self.job(self.write_code("print('METRICS: {\"loss\": 0.1}')\n"))
        self.job_path = os.path.join(self.tmp, "job.json")
        with open(self.job_path, "w") as out:
            json.dump(job, out)

    def bootstrap(self, **overrides):
        env = {
            "PATH": os.environ["PATH"],
            "HOME": self.tmp,
            "SHERPA_JOB_URI": "file://" + self.job_path,
            "SHERPA_RUNNER_URI": "file://" + self.tarball,
            "SHERPA_RUNNER_SHA256": self.sha,
            "SHERPA_CACHE_DIR": self.cache,
            "SHERPA_WORK_ROOT": self.work_root,
            # No metadata block on this host's network: the run gets its own network namespace. As an ordinary
            # user nothing can be contained: a local trial, unconfined.
            "SHERPA_NETWORK": "none",
            "SHERPA_CONTAINMENT": "kernel" if IS_ROOT else "none",
            "SHERPA_MEMORY_LIMIT_MB": "768",
            "SHERPA_NEURON_VENV": os.path.join(self.tmp, "no-venv"),
            "SHERPA_PYTHON": child_python(),
        }
        env.update(overrides)
        return subprocess.run(["bash", BOOTSTRAP], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)

    def test_runs_the_job_with_the_verified_runner_and_caches_it(self):
        completed = self.bootstrap()
        self.assertEqual(completed.returncode, 0, completed.stderr.decode())
        self.assertIn(b"SHERPA_RESULT file://", completed.stdout)
        self.assertEqual(self.result()["status"], "succeeded")
        self.assertTrue(os.path.exists(os.path.join(self.cache, self.sha, ".verified")))
        # Second run (another run id): served from the cache, the tarball is no longer needed.
        os.remove(self.tarball)
        os.remove(os.path.join(self.results, "result.json"))
        second = os.path.join(self.tmp, "job-2.json")
        with open(second, "w") as out:
            json.dump(self.job(self.write_code("print('METRICS: {\"loss\": 0.1}')\n"), runId="run-test-2"), out)
        completed = self.bootstrap(SHERPA_JOB_URI="file://" + second)
        self.assertEqual(completed.returncode, 0, completed.stderr.decode())
        self.assertNotIn(b"verified and cached", completed.stdout)
        self.assertEqual(self.result()["status"], "succeeded")

    def test_a_hash_mismatch_stops_before_anything_runs(self):
        completed = self.bootstrap(SHERPA_RUNNER_SHA256="0" * 64)
        self.assertEqual(completed.returncode, 65)
        self.assertIn(b"runner hash mismatch", completed.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.results, "result.json")))
        self.assertFalse(os.path.exists(os.path.join(self.cache, "0" * 64)))

    def test_missing_parameters_are_named(self):
        completed = self.bootstrap(SHERPA_JOB_URI="")
        self.assertEqual(completed.returncode, 64)
        self.assertIn(b"SHERPA_JOB_URI is not set", completed.stderr)
        completed = self.bootstrap(SHERPA_RUNNER_SHA256="")
        self.assertEqual(completed.returncode, 64, "runner-<sha>.tar.gz is not the bundle naming scheme")
        self.assertIn(b"no runner hash", completed.stderr)

    def test_a_venv_is_activated_when_present(self):
        venv = os.path.join(self.tmp, "venv")
        os.makedirs(os.path.join(venv, "bin"))
        with open(os.path.join(venv, "bin", "activate"), "w") as activate:
            activate.write('export PATH="%s/bin:$PATH"; export SHERPA_VENV_MARK=1\n' % venv)
        completed = self.bootstrap(SHERPA_NEURON_VENV=venv)
        self.assertEqual(completed.returncode, 0, completed.stderr.decode())
        self.assertIn(("using venv " + venv).encode(), completed.stdout)

    def test_a_zip_named_by_its_hash_prefix_needs_no_separate_hash(self):
        # The shape the bot ships: sherpa_runner/ at the zip's root, key runner/sherpa-runner-<sha256[:16]>.zip.
        zip_path = os.path.join(self.tmp, "bundle.zip")
        source_dir = os.path.dirname(pack.__file__)
        with zipfile.ZipFile(zip_path, "w") as bundle:
            for name in sorted(os.listdir(source_dir)):
                if name.endswith(".py"):
                    bundle.write(os.path.join(source_dir, name), "sherpa_runner/" + name)
        with open(zip_path, "rb") as raw:
            digest = hashlib.sha256(raw.read()).hexdigest()
        named = os.path.join(self.tmp, "sherpa-runner-%s.zip" % digest[:16])
        os.rename(zip_path, named)
        completed = self.bootstrap(SHERPA_RUNNER_URI="file://" + named, SHERPA_RUNNER_SHA256="")
        self.assertEqual(completed.returncode, 0, completed.stderr.decode())
        self.assertEqual(self.result()["status"], "succeeded")
        self.assertTrue(os.path.exists(os.path.join(self.cache, digest[:16], ".verified")))
        wrong = os.path.join(self.tmp, "sherpa-runner-%s.zip" % ("f" * 16))
        os.rename(named, wrong)
        completed = self.bootstrap(SHERPA_RUNNER_URI="file://" + wrong, SHERPA_RUNNER_SHA256="")
        self.assertEqual(completed.returncode, 65, completed.stderr.decode())

    def tearDown(self):
        shutil.rmtree(self.cache, ignore_errors=True)
