"""The checkpoint folder is the code's, and hostile: what a sync takes from it and what a restore accepts."""

import hashlib
import json
import os
import shutil
import tempfile
import unittest

from sherpa_runner import checkpoint
from sherpa_runner.checkpoint import CheckpointError


class CheckpointTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sherpa-checkpoint-test-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.folder = os.path.join(self.tmp, "checkpoint")
        self.scratch = os.path.join(self.tmp, "scratch")
        self.store = os.path.join(self.tmp, "store")
        for path in (self.folder, self.scratch):
            os.makedirs(path)
        self.secret = os.path.join(self.tmp, "credentials")
        with open(self.secret, "w") as out:
            out.write("aws_secret_access_key = do-not-copy")

    def write(self, relative, data=b"weights"):
        path = os.path.join(self.folder, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(data)

    def test_a_sync_takes_regular_files_only_never_a_link_a_fifo_or_a_half_written_file(self):
        self.write("model.pt")
        self.write("shards/optimizer.pt", b"adam")
        self.write("model.pt.tmp", b"half")
        os.symlink(self.secret, os.path.join(self.folder, "creds"))
        os.symlink(os.path.dirname(self.secret), os.path.join(self.folder, "linked-dir"))
        os.mkfifo(os.path.join(self.folder, "pipe"))  # opening it for reading would block a careless runner
        taken = checkpoint.snapshot(self.folder, self.scratch, 10 ** 6)
        self.assertEqual([entry["path"] for entry in taken.files], ["model.pt", "shards/optimizer.pt"])
        self.assertEqual(sorted(taken.skipped), ["creds", "model.pt.tmp", "pipe"])  # linked-dir: never entered
        copied = [os.path.join(root, name) for root, _dirs, names in os.walk(taken.folder) for name in names]
        self.assertEqual(len(copied), 2)
        for path in copied:
            with open(path, "rb") as handle:
                self.assertNotIn(b"do-not-copy", handle.read())

    def test_a_folder_larger_than_the_cap_is_refused(self):
        self.write("big.bin", b"x" * 2000)
        with self.assertRaisesRegex(CheckpointError, "more than 1000 bytes"):
            checkpoint.snapshot(self.folder, self.scratch, 1000)

    def sync(self):
        taken = checkpoint.snapshot(self.folder, self.scratch, 10 ** 6)
        checkpoint.upload(taken, "file://%s/" % self.store, "run-1", "2026-12-05T10:00:00Z", set())
        return taken

    def test_upload_then_restore_round_trips_and_hands_every_file_to_the_run(self):
        self.write("model.pt", b"one")
        self.write("sub/state.json", b"{}")
        self.sync()
        with open(os.path.join(self.store, "MANIFEST.json")) as handle:
            manifest = json.load(handle)
        self.assertEqual([entry["path"] for entry in manifest["files"]], ["model.pt", "sub/state.json"])
        self.assertTrue(os.path.exists(os.path.join(self.store, "objects", hashlib.sha256(b"one").hexdigest())))
        target = os.path.join(self.tmp, "restored")
        os.mkdir(target)
        given = []
        report = checkpoint.restore("file://%s/" % self.store, target, self.scratch, lambda path, mode: given.append((path, mode)), 10 ** 6)
        self.assertEqual(report, {"files": 2, "bytes": 5})
        with open(os.path.join(target, "sub", "state.json"), "rb") as handle:
            self.assertEqual(handle.read(), b"{}")
        self.assertEqual(sorted(os.path.relpath(path, target) for path, _mode in given), ["model.pt", "sub", "sub/state.json"])

    def test_a_sync_cut_short_leaves_the_previous_checkpoint_whole(self):
        self.write("model.pt", b"first")
        self.sync()
        self.write("model.pt", b"second")
        taken = checkpoint.snapshot(self.folder, self.scratch, 10 ** 6)
        # The new object arrives, the instance dies before the manifest: the old manifest still names "first".
        sha = str(taken.files[0]["sha256"])
        shutil.copyfile(os.path.join(taken.folder, "model.pt"), os.path.join(self.store, "objects", sha))
        target = os.path.join(self.tmp, "restored")
        os.mkdir(target)
        checkpoint.restore("file://%s/" % self.store, target, self.scratch, lambda *_: None, 10 ** 6)
        with open(os.path.join(target, "model.pt"), "rb") as handle:
            self.assertEqual(handle.read(), b"first")

    def restore_with(self, files):
        os.makedirs(self.store, exist_ok=True)
        with open(os.path.join(self.store, "MANIFEST.json"), "w") as out:
            json.dump({"schemaVersion": 1, "files": files}, out)
        target = os.path.join(self.tmp, "restored-%d" % len(os.listdir(self.tmp)))
        os.mkdir(target)
        return checkpoint.restore("file://%s/" % self.store, target, self.scratch, lambda *_: None, 10 ** 6)

    def test_a_restore_refuses_paths_out_of_the_folder_and_altered_content(self):
        sha = hashlib.sha256(b"data").hexdigest()
        for path in ("../escape", "/etc/cron.d/x", "a/../../b", ""):
            with self.assertRaisesRegex(CheckpointError, "invalid entry"):
                self.restore_with([{"path": path, "sha256": sha, "bytes": 4}])
        os.makedirs(os.path.join(self.store, "objects"))
        with open(os.path.join(self.store, "objects", sha), "wb") as out:
            out.write(b"evil")
        with self.assertRaisesRegex(CheckpointError, "does not match its sha256"):
            self.restore_with([{"path": "model.pt", "sha256": sha, "bytes": 4}])

    def test_no_manifest_is_a_clear_error(self):
        with self.assertRaisesRegex(CheckpointError, "no readable MANIFEST.json"):
            checkpoint.restore("file://%s/none/" % self.tmp, self.folder, self.scratch, lambda *_: None, 10 ** 6)


if __name__ == "__main__":
    unittest.main()
