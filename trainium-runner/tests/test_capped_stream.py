"""The output cap's fast path: past the cap the pipe drains in bulk, and only METRICS lines and the tail count."""

import os
import shutil
import tempfile
import threading
import unittest

from sherpa_runner.capped_stream import TAIL_LINES, CappedStream


class PastTheCapTest(unittest.TestCase):
    def pump(self, payload: bytes, cap: int, marker=b"METRICS:"):
        lines = []
        folder = tempfile.mkdtemp(prefix="sherpa-capped-")
        self.addCleanup(shutil.rmtree, folder, True)
        stream = CappedStream(os.path.join(folder, "out.log"), cap, [lines.append], marker)
        read_end, write_end = os.pipe()

        def feed():
            view = memoryview(payload)
            while view:
                view = view[os.write(write_end, view[: 1 << 20]):]
            os.close(write_end)

        writer = threading.Thread(target=feed)
        writer.start()
        stream.pump(read_end)
        writer.join()
        os.close(read_end)
        with open(stream.path, "rb") as handle:
            written = handle.read()
        return stream, lines, written

    def test_short_lines_past_the_cap_are_not_handed_out_one_by_one(self):
        body = b"x\n" * (8 * 1024 * 1024)  # 16 MiB, 8 Mi lines
        payload = b'METRICS: {"loss": 2}\n' + body + b'METRICS: {"loss": 1}\n' + body + b"last line\n"
        stream, lines, written = self.pump(payload, cap=4096)
        self.assertTrue(stream.truncated)
        self.assertLessEqual(len(written), 4096 + 100, "the cap holds")
        self.assertEqual(stream.bytes_seen, len(payload), "the pipe was drained to its end")
        self.assertLess(stream.lines_emitted, 16 * 1024 * 1024 // 50, "far fewer lines than the stream holds")
        self.assertIn('METRICS: {"loss": 1}', lines, "a METRICS line past the cap still counts")
        self.assertEqual(lines.count('METRICS: {"loss": 1}'), 1, "and counts once")
        self.assertEqual(lines[-TAIL_LINES:], ["x"] * (TAIL_LINES - 1) + ["last line"], "the tail is the stream's end")

    def test_without_a_marker_only_the_tail_is_kept_past_the_cap(self):
        payload = b"".join(b"line %d\n" % i for i in range(200000))
        stream, lines, _ = self.pump(payload, cap=1000, marker=None)
        self.assertEqual(lines[-3:], ["line 199997", "line 199998", "line 199999"])
        self.assertLess(stream.lines_emitted, 200000 // 4)

    def test_under_the_cap_every_line_is_handed_out(self):
        payload = b"".join(b"line %d\n" % i for i in range(5000))
        stream, lines, written = self.pump(payload, cap=10 ** 6)
        self.assertFalse(stream.truncated)
        self.assertEqual(len(lines), 5000)
        self.assertEqual(written, payload)


if __name__ == "__main__":
    unittest.main()
