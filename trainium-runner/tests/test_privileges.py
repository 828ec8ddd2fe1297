"""The metadata block's install/verify (through a fake, stateful iptables on PATH) and the per-run uid pool."""

import os
import subprocess
import sys
import textwrap
import unittest
from unittest import mock

from sherpa_runner import metadata_block, run_marker, uid_pool
from sherpa_runner.containment import ContainmentUnavailable, decide
from tests.helpers import IS_ROOT, PROJECT_ROOT, TEST_LIMITS, RunnerTestCase, write_executable


def fake_iptables(folder: str, name: str, rules: str, refuse_insert: bool = False) -> None:
    """Keeps its rules in a file: `-C` looks one up, `-I OUTPUT 1` adds it. Anything else fails."""
    body = textwrap.dedent(
        """\
        #!/bin/sh
        [ "$1" = -w ] || exit 9
        action="$2"; chain="$3"; shift 3
        [ "$chain" = OUTPUT ] || exit 9
        case "$action" in
          -C) grep -qxF -- "$*" '{rules}' 2>/dev/null ;;
          -I) [ "$1" = 1 ] || exit 9; shift; {insert} ;;
          *) exit 9 ;;
        esac
        """
    ).format(rules=rules, insert="exit 4" if refuse_insert else "echo \"$*\" >> '%s'" % rules)
    write_executable(folder, name, body)


class MetadataBlockTest(RunnerTestCase):
    def setUp(self):
        super().setUp()
        self.rules = os.path.join(self.tmp, "rules")

    def test_install_adds_both_families_once_and_verify_then_holds(self):
        fake_iptables(self.bin, "iptables", self.rules)
        fake_iptables(self.bin, "ip6tables", self.rules)
        self.assertFalse(metadata_block.verify("61000-61999")[0])
        ok, detail = metadata_block.install("61000-61999")
        self.assertTrue(ok, detail)
        self.assertTrue(metadata_block.verify("61000-61999")[0])
        with open(self.rules) as handle:
            lines = handle.read().splitlines()
        self.assertEqual(
            lines,
            [
                "-d 169.254.169.254 -m owner --uid-owner 61000-61999 -j REJECT",
                "-d fd00:ec2::254 -m owner --uid-owner 61000-61999 -j REJECT",
            ],
        )
        self.assertEqual(metadata_block.install("61000-61999"), (True, "already in place"))
        with open(self.rules) as handle:
            self.assertEqual(len(handle.read().splitlines()), 2, "idempotent")

    def test_ipv4_alone_is_not_a_block(self):
        fake_iptables(self.bin, "iptables", self.rules)
        with mock.patch.object(metadata_block, "_tool", side_effect=lambda name: os.path.join(self.bin, name) if name == "iptables" else None):
            ok, why = metadata_block.install("61000-61999")
        self.assertFalse(ok)
        self.assertIn("ip6tables is not installed", why)

    def test_a_refused_insert_is_reported(self):
        fake_iptables(self.bin, "iptables", self.rules, refuse_insert=True)
        fake_iptables(self.bin, "ip6tables", self.rules, refuse_insert=True)
        ok, why = metadata_block.install("61000-61999")
        self.assertFalse(ok)
        self.assertIn("could not add", why)

    @unittest.skipUnless(IS_ROOT, "the containment decision needs root")
    def test_host_network_without_the_block_fails_closed_and_auto_takes_no_network(self):
        fake_iptables(self.bin, "iptables", self.rules)
        fake_iptables(self.bin, "ip6tables", self.rules)
        with self.assertRaises(ContainmentUnavailable) as raised:
            decide("host", TEST_LIMITS)
        self.assertIn("metadata service is not blocked", str(raised.exception))
        self.assertEqual(decide("auto", TEST_LIMITS).network, "none")
        metadata_block.install()
        self.assertEqual(decide("auto", TEST_LIMITS).network, "host")

    def test_the_command_line_says_what_is_missing(self):
        fake_iptables(self.bin, "iptables", self.rules)
        fake_iptables(self.bin, "ip6tables", self.rules)
        env = dict(os.environ, PYTHONPATH=os.path.join(PROJECT_ROOT, "trainium-runner"))
        command = [sys.executable, "-m", "sherpa_runner.metadata_block", "verify", "--uid-range", "62000-62009"]
        done = subprocess.run(command, env=env, stderr=subprocess.PIPE)
        self.assertEqual(done.returncode, 1)
        self.assertIn(b"NOT in place: no iptables rule rejects uids 62000-62009 to 169.254.169.254", done.stderr)


class UidPoolTest(RunnerTestCase):
    def test_each_run_gets_its_own_uid_until_it_releases_it(self):
        locks = os.path.join(self.tmp, "locks")
        first = uid_pool.allocate(locks, 62000, 62001)
        second = uid_pool.allocate(locks, 62000, 62001)
        self.assertEqual((first.uid, second.uid), (62000, 62001))
        with self.assertRaises(uid_pool.NoFreeUid):
            uid_pool.allocate(locks, 62000, 62001)
        first.release()
        self.assertEqual(uid_pool.allocate(locks, 62000, 62001).uid, 62000)

    def test_a_uid_of_a_real_user_is_never_handed_out(self):
        nobody = 65534
        with self.assertRaises(uid_pool.NoFreeUid):
            uid_pool.allocate(os.path.join(self.tmp, "locks"), nobody, nobody)

    def test_a_uid_that_still_owns_a_process_is_skipped(self):
        own = os.getuid()
        if own == 0:
            self.skipTest("uid 0 is outside any range parse_range accepts; covered as non-root")
        with self.assertRaises(uid_pool.NoFreeUid):
            uid_pool.allocate(os.path.join(self.tmp, "locks"), own, own)


class RunMarkerTest(RunnerTestCase):
    def test_a_run_id_is_claimed_once(self):
        state = os.path.join(self.tmp, "state")
        run_marker.claim(state, "r/1")
        with self.assertRaises(run_marker.AlreadyStarted):
            run_marker.claim(state, "r/1")
        run_marker.claim(state, "r_1")  # sanitised alike, still a different run


if __name__ == "__main__":
    unittest.main()
