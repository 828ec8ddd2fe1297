"""Red team: the metadata service, during and after a run, in a network namespace of the test's own.

The namespace gets 169.254.169.254 and fd00:ec2::254 on its loopback with a root listener on each; bootstrap.sh
runs there as SSM would (so it installs the block itself), and the code tries both addresses during the run and
from a daemon meant to outlive it; afterwards a sandbox uid tries again. Only root's own probes may arrive.
"""

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import time

from sherpa_runner import pack
from tests.helpers import PROJECT_ROOT, child_python
from tests.red_team import LIMIT_ENV, RedTeamCase, have_tools

HARNESS = os.path.join(PROJECT_ROOT, "trainium-runner", "tests", "metadata_harness.py")
BOOTSTRAP = os.path.join(PROJECT_ROOT, "trainium-runner", "bootstrap.sh")

PROBER = textwrap.dedent(
    """
    import os, socket, time

    def try_all(when):
        for family, address in ((socket.AF_INET, "169.254.169.254"), (socket.AF_INET6, "fd00:ec2::254")):
            try:
                with socket.socket(family, socket.SOCK_STREAM) as client:
                    client.settimeout(3)
                    client.connect((address, 80))
                print("CONNECTED %s %s" % (when, address), flush=True)
            except OSError as error:
                print("blocked %s %s %s" % (when, address, type(error).__name__), flush=True)

    try_all("during")
    if os.fork() == 0:
        os.setsid()
        time.sleep(1.5)  # after the run has ended
        try_all("after")
        os._exit(0)
    """
)


class MetadataServiceTest(RedTeamCase):
    def setUp(self):
        super().setUp()
        reason = have_tools("unshare", "ip", "iptables", "ip6tables")
        if reason:
            self.skipTest(reason)
        if not os.path.exists("/proc/sys/net/ipv6"):
            self.skipTest("needs IPv6 (fd00:ec2::254)")

    def test_the_code_never_reaches_the_metadata_service_in_either_family(self):
        data = pack.build()
        sha = hashlib.sha256(data).hexdigest()
        tarball = os.path.join(self.tmp, "runner-%s.tar.gz" % sha)
        with open(tarball, "wb") as out:
            out.write(data)
        job_path = os.path.join(self.tmp, "job.json")
        with open(job_path, "w") as out:
            json.dump(self.job(self.write_code(PROBER), timeoutSeconds=20), out)
        env = dict(
            LIMIT_ENV,
            PATH=os.environ["PATH"],
            HOME=self.tmp,
            SHERPA_JOB_URI="file://" + job_path,
            SHERPA_RUNNER_URI="file://" + tarball,
            SHERPA_RUNNER_SHA256=sha,
            SHERPA_CACHE_DIR=os.path.join(self.tmp, "cache"),
            SHERPA_WORK_ROOT=self.work_root,
            SHERPA_NEURON_VENV=os.path.join(self.tmp, "no-venv"),
            SHERPA_PYTHON=child_python(),
            # The runner's own spot watcher (root) may reach the service; it is kept off here so that every
            # connection the fake accepts must be one of the harness's root probes (tests/test_spot_watch.py and
            # test_spot_resume.py cover the watcher).
            AWS_EC2_METADATA_DISABLED="true",
        )
        started = time.monotonic()
        done = subprocess.run(
            ["unshare", "--net", sys.executable, HARNESS, BOOTSTRAP, json.dumps(env), "61000"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            timeout=120,
        )
        wall = time.monotonic() - started
        self.assertEqual(done.returncode, 0, done.stderr.decode())
        report = json.loads(done.stdout.decode().strip().splitlines()[-1])
        self.assertEqual(report["bootstrapExit"], 0, report["bootstrapStderr"])
        addresses = ("169.254.169.254", "fd00:ec2::254")
        self.assertEqual(report["rootBefore"], {a: "connected" for a in addresses}, "the fake service answers")
        result = self.result()
        self.assertEqual((result["sandbox"]["network"], result["sandbox"]["metadataBlocked"]), ("host", True))
        stdout = self.artifact("stdout.log")
        self.assertNotIn("CONNECTED", stdout)
        self.assertEqual(stdout.count("blocked during"), 2, stdout)
        for address in addresses:
            self.assertNotEqual(report["sandboxUidAfter"][address], "connected", "the block stays after the run")
        self.assertEqual(report["rootAfter"], {a: "connected" for a in addresses}, "the runner (root) keeps its access")
        self.assertEqual(sorted(report["accepted"]), sorted(addresses * 2), "only root's probes arrived")
        self.assert_contained_end(result, wall, 20)
