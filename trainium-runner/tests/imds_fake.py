"""Test equipment: a loopback IMDSv2 (token PUT, token-checked GETs) whose spot notices a test raises.

The runner finds it through AWS_EC2_METADATA_SERVICE_ENDPOINT, as the AWS SDKs would. Strict like the other
fakes: a GET without the token it issued is answered 401, and every request is recorded.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Optional, Tuple

TOKEN = "fake-imds-token-6f1c"
INSTANCE = {
    "instance-id": "i-0fa5e1c0ffee12345",
    "instance-type": "trn1.2xlarge",
    "ami-id": "ami-0neuron2026dlami",
    "instance-life-cycle": "spot",
}


def iso_in(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + seconds))


class ImdsFake:
    def __init__(self, instance: Optional[Dict[str, str]] = None):
        self.instance = dict(INSTANCE if instance is None else instance)
        self.instance_action = None  # type: Optional[Dict[str, str]]
        self.rebalance = None  # type: Optional[Dict[str, str]]
        self.requests = []  # type: List[Tuple[str, str, int]]
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):  # quiet
                pass

            def _answer(self, status: int, body: str = "") -> None:
                fake.requests.append((self.command, self.path, status))
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_PUT(self):
                if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                    self._answer(200, TOKEN)
                else:
                    self._answer(400)

            def do_GET(self):
                if self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
                    self._answer(401)
                    return
                body = fake.body(self.path)
                self._answer(404) if body is None else self._answer(200, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="imds-fake")

    def body(self, path: str) -> Optional[str]:
        prefix = "/latest/meta-data/"
        if not path.startswith(prefix):
            return None
        name = path[len(prefix):]
        if name == "spot/instance-action":
            return json.dumps(self.instance_action) if self.instance_action else None
        if name == "events/recommendations/rebalance":
            return json.dumps(self.rebalance) if self.rebalance else None
        return self.instance.get(name)

    @property
    def endpoint(self) -> str:
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def start(self) -> "ImdsFake":
        self.thread.start()
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def raise_interruption(self, seconds_ahead: float, action: str = "terminate") -> None:
        self.instance_action = {"action": action, "time": iso_in(seconds_ahead)}

    def raise_rebalance(self) -> None:
        self.rebalance = {"noticeTime": iso_in(0)}
