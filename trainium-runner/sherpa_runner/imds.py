"""The runner's own IMDSv2 client (root, outside the sandbox): instance facts and spot notices.

IMDSv2 is a token PUT (`/latest/api/token`) and then GETs that carry the token. The address is
`AWS_EC2_METADATA_SERVICE_ENDPOINT` when set (the AWS SDKs' standard override, so tests and emulators can raise
an interruption notice), else 169.254.169.254; `AWS_EC2_METADATA_DISABLED=true` turns it off, as in the SDKs.
The sandboxed code never reaches the service (metadata_block.py); only the runner does.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from typing import Dict, Mapping, Optional

DEFAULT_ENDPOINT = "http://169.254.169.254"
TOKEN_TTL_SECONDS = 21600
MAX_BODY_BYTES = 64 * 1024
# Short: on a machine that is not an EC2 instance (COMPUTE=local) every probe must fail fast.
REQUEST_TIMEOUT_SECONDS = 1.0
INSTANCE_FIELDS = (("id", "instance-id"), ("type", "instance-type"), ("amiId", "ami-id"), ("lifeCycle", "instance-life-cycle"))


class ImdsUnavailable(RuntimeError):
    """The metadata service did not answer (not an EC2 instance, or it is disabled)."""


def endpoint_from(env: Mapping[str, str]) -> Optional[str]:
    """None when the service is disabled; else the base URL (no trailing slash)."""
    if env.get("AWS_EC2_METADATA_DISABLED", "").strip().lower() == "true":
        return None
    return (env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


class Imds:
    def __init__(self, endpoint: str, timeout: float = REQUEST_TIMEOUT_SECONDS, clock=time.monotonic):
        self.endpoint = endpoint
        self.timeout = timeout
        self.clock = clock
        self._token = None  # type: Optional[str]
        self._token_expires = 0.0
        # The metadata service is link-local: never through a proxy the runner's environment may name.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _open(self, request: urllib.request.Request) -> bytes:
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.read(MAX_BODY_BYTES)
        except urllib.error.HTTPError:
            raise
        except (OSError, ValueError) as error:  # URLError, timeouts, refused connections
            raise ImdsUnavailable("%s: %s" % (self.endpoint, error))

    def _fresh_token(self) -> str:
        if self._token is None or self.clock() >= self._token_expires:
            request = urllib.request.Request(
                self.endpoint + "/latest/api/token",
                method="PUT",
                headers={"X-aws-ec2-metadata-token-ttl-seconds": str(TOKEN_TTL_SECONDS)},
            )
            try:
                self._token = self._open(request).decode("ascii", "replace").strip()
            except urllib.error.HTTPError as error:
                raise ImdsUnavailable("token request refused: HTTP %d" % error.code)
            self._token_expires = self.clock() + TOKEN_TTL_SECONDS - 60
        return self._token

    def get(self, path: str) -> Optional[str]:
        """The body at `/latest/<path>`, or None when the service answers 404 (e.g. no notice yet)."""
        for attempt in range(2):
            request = urllib.request.Request(
                self.endpoint + "/latest/" + path.lstrip("/"), headers={"X-aws-ec2-metadata-token": self._fresh_token()}
            )
            try:
                return self._open(request).decode("utf-8", "replace")
            except urllib.error.HTTPError as error:
                if error.code == 404:
                    return None
                if error.code == 401 and attempt == 0:
                    self._token = None  # expired or revoked: one fresh token, then give up
                    continue
                raise ImdsUnavailable("GET %s: HTTP %d" % (path, error.code))
        raise ImdsUnavailable("GET %s: token refused" % path)

    def instance(self) -> Dict[str, str]:
        """Instance id, type, AMI and life cycle (`spot`, `on-demand`, `scheduled`); missing ones left out."""
        facts = {}
        for key, path in INSTANCE_FIELDS:
            value = self.get("meta-data/" + path)
            if value and value.strip():
                facts[key] = value.strip()[:200]
        return facts
