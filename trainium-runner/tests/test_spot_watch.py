"""IMDSv2 and the spot notices, against the loopback fake (tests/imds_fake.py)."""

import unittest

from sherpa_runner import imds
from sherpa_runner.spot_watch import SpotWatcher, interruption_notice, parse_time
from tests.imds_fake import ImdsFake


class SpotWatchTest(unittest.TestCase):
    def setUp(self):
        self.fake = ImdsFake().start()
        self.addCleanup(self.fake.close)
        self.seen = []
        self.watcher = SpotWatcher(imds.Imds(self.fake.endpoint), self.seen.append, self.seen.append, wall_clock=lambda: 1000.0)

    def test_the_endpoint_follows_the_sdk_variables(self):
        self.assertEqual(imds.endpoint_from({}), "http://169.254.169.254")
        self.assertEqual(imds.endpoint_from({"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9/"}), "http://127.0.0.1:9")
        self.assertIsNone(imds.endpoint_from({"AWS_EC2_METADATA_DISABLED": "TRUE"}))

    def test_every_request_carries_the_token_and_no_notice_means_nothing_happens(self):
        self.watcher.poll_once()
        self.assertEqual(self.watcher.instance["lifeCycle"], "spot")
        self.assertEqual(self.seen, [])
        self.assertEqual(self.fake.requests[0][:2], ("PUT", "/latest/api/token"))
        self.assertEqual([status for _method, _path, status in self.fake.requests[1:]], [200] * 4 + [404, 404])

    def test_each_notice_is_handed_on_once(self):
        self.fake.raise_rebalance()
        self.fake.instance_action = {"action": "stop", "time": "2026-12-05T08:22:00Z"}
        self.watcher.poll_once()
        self.watcher.poll_once()
        self.assertEqual([(notice.kind, notice.action) for notice in self.seen], [("interruption", "stop"), ("rebalance", "rebalance")])
        self.assertEqual(self.seen[0].deadline, parse_time("2026-12-05T08:22:00Z"))

    def test_an_unreadable_notice_time_means_two_minutes(self):
        self.assertEqual(interruption_notice('{"action": "terminate", "time": "soon"}', 500.0).deadline, 620.0)
        self.assertEqual(interruption_notice("not json", 500.0).action, "terminate")

    def test_no_metadata_service_is_not_an_error(self):
        watcher = SpotWatcher(imds.Imds("http://127.0.0.1:9", timeout=0.2), self.seen.append, self.seen.append)
        with self.assertRaises(imds.ImdsUnavailable):
            watcher.poll_once()
        self.assertFalse(watcher.reachable)


if __name__ == "__main__":
    unittest.main()
