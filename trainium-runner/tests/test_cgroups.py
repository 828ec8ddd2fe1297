"""cgroups.py against fake cgroup trees: which hierarchy is chosen and what is written where.

The development and CI machines have only v1 controllers (their cgroup2 mount has none), so the v2 path is
checked here on a fake tree, file by file; the real kernel paths run in the red-team suite (v1 there).
"""

import os
import shutil
import tempfile
import unittest

from sherpa_runner import cgroups, kernel
from sherpa_runner.containment import sweep_stale_mounts
from tests.helpers import TEST_ROOT
from tests.red_team import missing_kernel_feature


class FakeTreeTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="sherpa-cgroup-fake-")
        self.addCleanup(shutil.rmtree, self.root, True)
        self.mounts = os.path.join(self.root, "mounts")

    def write(self, relative, text):
        path = os.path.join(self.root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            handle.write(text)

    def read(self, path):
        with open(path) as handle:
            return handle.read()

    def test_v2_with_its_controllers_is_preferred_and_enabled_down_to_the_run(self):
        v2 = os.path.join(self.root, "unified")
        self.write("unified/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
        self.write("unified/cgroup.subtree_control", "cpu\n")
        self.write("unified/sherpa-runner/cgroup.subtree_control", "")
        self.write("mounts", "cgroup2 %s cgroup2 rw,nosuid 0 0\n" % v2)
        group = cgroups.create(v1_root=os.path.join(self.root, "v1"), mounts_file=self.mounts)
        self.assertEqual(group.version, 2)
        self.assertEqual(self.read(os.path.join(v2, "cgroup.subtree_control")), "+pids +memory")
        self.assertEqual(self.read(os.path.join(v2, "sherpa-runner", "cgroup.subtree_control")), "+pids +memory")
        leaf = group.paths["unified"]
        self.assertEqual(os.path.dirname(leaf), os.path.join(v2, "sherpa-runner"))
        self.write(os.path.relpath(os.path.join(leaf, "memory.swap.max"), self.root), "max")
        self.write(os.path.relpath(os.path.join(leaf, "memory.oom.group"), self.root), "0")
        group.set_limits(258, 1 << 30)
        self.assertEqual(self.read(os.path.join(leaf, "pids.max")), "258")
        self.assertEqual(self.read(os.path.join(leaf, "memory.max")), str(1 << 30))
        self.assertEqual(self.read(os.path.join(leaf, "memory.swap.max")), "0")
        self.assertEqual(self.read(os.path.join(leaf, "memory.oom.group")), "1")
        self.assertEqual(group.procs_files, [os.path.join(leaf, "cgroup.procs")])
        self.write(os.path.relpath(os.path.join(leaf, "memory.events"), self.root), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
        self.assertEqual(group.oom_kills(), 1)

    def test_v2_without_the_controllers_falls_to_v1(self):
        self.write("unified/cgroup.controllers", "")
        self.write("mounts", "cgroup2 %s cgroup2 rw 0 0\n" % os.path.join(self.root, "unified"))
        for controller in ("pids", "memory"):
            self.write("v1/%s/cgroup.procs" % controller, "")
        group = cgroups.create(v1_root=os.path.join(self.root, "v1"), mounts_file=self.mounts)
        self.assertEqual(group.version, 1)
        self.assertEqual(sorted(group.paths), ["memory", "pids"])
        group.set_limits(100, 1 << 28)
        self.assertEqual(self.read(os.path.join(group.paths["pids"], "pids.max")), "100")
        self.assertEqual(self.read(os.path.join(group.paths["memory"], "memory.limit_in_bytes")), str(1 << 28))

    def test_neither_is_a_clear_refusal(self):
        self.write("mounts", "proc /proc proc rw 0 0\n")
        with self.assertRaises(cgroups.CgroupUnavailable) as raised:
            cgroups.create(v1_root=os.path.join(self.root, "v1"), mounts_file=self.mounts)
        self.assertIn("no cgroup v2 mount with the pids and memory controllers", str(raised.exception))


class LeftByACrashTest(unittest.TestCase):
    """What a killed runner leaves (its run's working tmpfs and cgroup) is cleaned up by the next runner."""

    def setUp(self):
        reason = missing_kernel_feature()
        if reason:
            self.skipTest(reason)
        os.makedirs(TEST_ROOT, exist_ok=True)
        self.root = tempfile.mkdtemp(prefix="sherpa-crash-", dir=TEST_ROOT)
        self.addCleanup(shutil.rmtree, self.root, True)

    def test_a_stale_working_tmpfs_of_a_uid_now_held_is_unmounted_and_removed(self):
        work = os.path.join(self.root, "runs", "run-x-abc", "work")
        os.makedirs(work)
        kernel.mount("tmpfs", work, "tmpfs", kernel.MS_NOSUID, "size=1m,mode=0700,uid=62999,gid=62999")
        self.addCleanup(lambda: os.path.ismount(work) and kernel.umount(work, kernel.MNT_DETACH))
        self.assertEqual(sweep_stale_mounts(62998), [], "another uid's mount is not touched")
        self.assertTrue(os.path.ismount(work))
        self.assertEqual(sweep_stale_mounts(62999), [work])
        self.assertFalse(os.path.exists(os.path.dirname(work)))

    def test_a_cgroup_whose_runner_is_gone_is_removed(self):
        probe = cgroups.create()
        parent = os.path.dirname(next(iter(probe.paths.values())))
        probe.remove()
        stale = os.path.join(parent, "run-%d-deadbeef0000" % (2 ** 22 + 12345))  # above any pid_max default
        os.mkdir(stale)
        self.addCleanup(lambda: os.path.isdir(stale) and os.rmdir(stale))
        fresh = cgroups.create()
        fresh.remove()
        self.assertFalse(os.path.isdir(stale))


if __name__ == "__main__":
    unittest.main()
