"""The per-search compile cache (issue 13, item 5): shared by the runs of one key, never across keys or papers,
owned by the runner, and no way out of it for the contained code."""

import json
import os
import stat
import unittest

from sherpa_runner import compile_cache
from sherpa_runner.compile_cache import SANDBOX_CACHE, SharedCompileCache, entry_name, hand_over
from sherpa_runner.contract import JobSpecError, parse_job
from tests.helpers import IS_ROOT, RunnerTestCase

# The code of every run: reports what its cache holds, writes its own entry, and tries the ways out it can think
# of. The host paths it tries are given to it in the source, as an attacker could guess them.
PROBE = r'''
import json, os, stat
cache = os.environ["NEURON_COMPILE_CACHE_URL"]
report = {"cache": cache, "seen": {}, "escape": {}}
for name in sorted(os.listdir(cache)):
    path = os.path.join(cache, name)
    info = os.lstat(path)
    report["seen"][name] = open(path).read() if stat.S_ISREG(info.st_mode) else stat.filemode(info.st_mode)
with open(os.path.join(cache, "graph-%s.neff" % RUN), "w") as out:
    out.write("compiled by %s" % RUN)
if PLANT:
    os.symlink("/etc/hostname", os.path.join(cache, "planted-link"))
    os.mkfifo(os.path.join(cache, "planted-fifo"))
    with open(os.path.join(cache, "planted-setuid"), "w") as out:
        out.write("x")
    os.chmod(os.path.join(cache, "planted-setuid"), 0o4755)
def attempt(label, action):
    try:
        report["escape"][label] = "reached: %r" % (action(),)
    except OSError as error:
        report["escape"][label] = "refused: %s" % type(error).__name__
attempt("cache root", lambda: os.listdir(HOST_ROOT))
attempt("other key", lambda: open(OTHER_ENTRY).read())
attempt("parent of the mount", lambda: sorted(os.listdir(os.path.dirname(cache))))
for line in open("/proc/self/mountinfo"):
    fields = line.split()
    if fields[4] == cache:
        report["mount"] = fields[5].split(",")
print("PROBE " + json.dumps(report))
'''


@unittest.skipUnless(IS_ROOT, "the shared cache is lent across sandbox uids, which needs root (real containment)")
class SharedCacheRunsTest(RunnerTestCase):
    def probe(self, run_id, key, paper="paper-1", plant=False, **job):
        host_root = os.path.join(self.work_root, compile_cache.CACHE_ROOT_NAME)
        other = os.path.join(host_root, entry_name("paper-1", "s_other"), "graph-x.neff")
        source = "RUN = %r\nPLANT = %r\nHOST_ROOT = %r\nOTHER_ENTRY = %r\n%s" % (run_id, plant, host_root, other, PROBE)
        code = self.write_code(source, name="probe-%s.py" % run_id)
        overrides = dict(runId=run_id, paperId=paper, backend="neuron", profile=False, **job)
        if key is not None:
            overrides["compileCacheKey"] = key
        result = self.run_job(self.job(code, **overrides))
        self.assertEqual(result["status"], "succeeded", result["logTail"])
        line = next(line for line in self.artifact("stdout.log").splitlines() if line.startswith("PROBE "))
        return result, json.loads(line[len("PROBE "):])

    def entry(self, key, paper="paper-1"):
        return os.path.join(self.work_root, compile_cache.CACHE_ROOT_NAME, entry_name(paper, key))

    def test_two_runs_of_one_key_share_it_and_other_keys_and_papers_do_not(self):
        first, seen_first = self.probe("r1", "s_abc", plant=True)
        self.assertEqual(seen_first["cache"], SANDBOX_CACHE, "the run sees a fixed path, never the host's")
        self.assertEqual(seen_first["seen"], {})
        self.assertEqual(first["execution"]["compileCache"], "search")
        self.assertTrue({"nosuid", "nodev"} <= set(seen_first["mount"]), seen_first["mount"])
        second, seen_second = self.probe("r2", "s_abc")
        self.assertEqual(second["execution"]["compileCache"], "search")
        # The first run's graph is there for the second (another uid): what the cache is for.
        self.assertEqual(seen_second["seen"]["graph-r1.neff"], "compiled by r1")
        self.assertNotEqual(first["sandbox"]["uid"], None)
        # What it planted was removed before the second run started: no link out, no FIFO, no set-id file.
        self.assertNotIn("planted-link", seen_second["seen"])
        self.assertNotIn("planted-fifo", seen_second["seen"])
        setuid = os.stat(os.path.join(self.entry("s_abc"), "planted-setuid"))
        self.assertEqual(setuid.st_mode & (stat.S_ISUID | stat.S_ISGID), 0)
        # Another search of the same paper, and the same key for another paper: a cache of their own.
        _, other_key = self.probe("r3", "s_other")
        self.assertEqual(other_key["seen"], {})
        _, other_paper = self.probe("r4", "s_abc", paper="paper-2")
        self.assertEqual(other_paper["seen"], {})
        self.assertEqual(sorted(os.listdir(self.entry("s_abc"))), ["graph-r1.neff", "graph-r2.neff", "planted-setuid"])
        # Between runs the folders are root's, in a root-only root.
        root = os.path.join(self.work_root, compile_cache.CACHE_ROOT_NAME)
        self.assertEqual(stat.S_IMODE(os.stat(root).st_mode), 0o700)
        for folder in (self.entry("s_abc"), self.entry("s_other"), self.entry("s_abc", "paper-2")):
            self.assertEqual(os.stat(folder).st_uid, 0)
            self.assertEqual(os.stat(os.path.join(folder, os.listdir(folder)[0])).st_uid, 0)

    def test_the_contained_code_cannot_reach_the_cache_root_or_another_key(self):
        self.probe("r0", "s_other")  # another key's entry exists and holds a file
        with open(os.path.join(self.entry("s_other"), "graph-x.neff"), "w") as out:
            out.write("secret graph")
        _, seen = self.probe("r1", "s_abc")
        self.assertEqual(seen["escape"]["cache root"], "refused: PermissionError")
        self.assertEqual(seen["escape"]["other key"], "refused: PermissionError")
        # Above the mount is the sandbox's own /run/sherpa-runner, not the cache root with the other keys.
        parent = seen["escape"]["parent of the mount"]
        self.assertNotIn(entry_name("paper-1", "s_other"), parent)

    def test_a_job_without_a_key_keeps_its_own_cache(self):
        result, seen = self.probe("r1", None)
        self.assertTrue(seen["cache"].endswith("/.sherpa/neuron-compile-cache"), seen["cache"])
        self.assertEqual(result["execution"]["compileCache"], "run")
        self.assertFalse(os.path.exists(os.path.join(self.work_root, compile_cache.CACHE_ROOT_NAME)))

    def test_the_job_cannot_point_a_keyed_run_elsewhere(self):
        _, seen = self.probe("r1", "s_abc", env={"NEURON_COMPILE_CACHE_URL": "/tmp/elsewhere"})
        self.assertEqual(seen["cache"], SANDBOX_CACHE)

    def test_a_busy_cache_gives_the_run_its_own_instead_of_waiting(self):
        held = SharedCompileCache.acquire(self.work_root, "paper-1", "s_abc")
        self.assertIsNotNone(held)
        self.addCleanup(held.close)
        result, seen = self.probe("r1", "s_abc")
        self.assertEqual(result["execution"]["compileCache"], "run")
        self.assertTrue(seen["cache"].endswith("/.sherpa/neuron-compile-cache"), seen["cache"])


class CacheFolderTest(unittest.TestCase):
    def setUp(self):
        import tempfile, shutil

        self.tmp = tempfile.mkdtemp(prefix="sherpa-cache-test-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def test_keys_are_validated_and_hashed_with_the_paper(self):
        self.assertNotEqual(entry_name("p1", "s_a"), entry_name("p2", "s_a"))
        self.assertEqual(len(entry_name("p1", "s_a")), 64)
        for bad in ("../x", "a/b", "", "x" * 65, "a\n"):
            with self.assertRaises(ValueError):
                entry_name("p1", bad)
            job = {"schemaVersion": 1, "runId": "r", "paperId": "p", "codeHash": "h", "codeUri": "file:///c",
                   "resultsUri": "file:///r/", "backend": "neuron", "timeoutSeconds": 5, "compileCacheKey": bad}
            with self.assertRaises(JobSpecError):
                parse_job(json.dumps(job))

    def test_hand_over_keeps_plain_files_and_folders_only(self):
        folder = os.path.join(self.tmp, "entry")
        os.makedirs(os.path.join(folder, "module"))
        with open(os.path.join(folder, "module", "model.neff"), "w") as out:
            out.write("neff")
        outside = os.path.join(self.tmp, "outside")
        os.makedirs(outside)
        with open(os.path.join(outside, "kept.txt"), "w") as out:
            out.write("must survive")
        os.symlink(outside, os.path.join(folder, "link-to-folder"))
        os.link(os.path.join(outside, "kept.txt"), os.path.join(folder, "module", "hard-link"))
        os.mkfifo(os.path.join(folder, "fifo"))
        kept = hand_over(folder, None, None, 1024)
        self.assertEqual(kept, 4)
        self.assertEqual(sorted(os.listdir(folder)), ["module"])
        self.assertEqual(os.listdir(os.path.join(folder, "module")), ["model.neff"])
        self.assertEqual(os.listdir(outside), ["kept.txt"], "nothing outside the folder is touched")

    def test_a_folder_over_its_cap_is_emptied(self):
        folder = os.path.join(self.tmp, "entry")
        os.makedirs(os.path.join(folder, "module"))
        with open(os.path.join(folder, "module", "model.neff"), "w") as out:
            out.write("x" * 2048)
        self.assertEqual(hand_over(folder, None, None, 1024), 0)
        self.assertEqual(os.listdir(folder), [])

    def test_a_tree_too_deep_to_walk_is_discarded_not_a_crash(self):
        cache = SharedCompileCache.acquire(self.tmp, "p", "s_a")
        self.addCleanup(cache.close)
        with open(os.path.join(cache.folder, "model.neff"), "w") as out:
            out.write("neff")
        fd = os.open(cache.folder, os.O_RDONLY)
        for _ in range(1500):  # past MAX_DEPTH and past Python's recursion limit
            os.mkdir("d", dir_fd=fd)
            deeper = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = deeper
        os.close(fd)
        cache.lend(None, None)
        self.assertEqual(os.listdir(cache.folder), [])
        root = os.path.dirname(cache.folder)
        self.assertEqual([n for n in os.listdir(root) if ".discarded-" in n], [], "the old tree is removed")

    def test_one_holder_at_a_time(self):
        first = SharedCompileCache.acquire(self.tmp, "p", "s_a")
        self.assertIsNotNone(first)
        self.assertIsNone(SharedCompileCache.acquire(self.tmp, "p", "s_a"))
        other = SharedCompileCache.acquire(self.tmp, "p", "s_b")
        self.assertIsNotNone(other)
        first.close()
        other.close()
        again = SharedCompileCache.acquire(self.tmp, "p", "s_a")
        self.assertIsNotNone(again)
        again.close()


if __name__ == "__main__":
    unittest.main()
