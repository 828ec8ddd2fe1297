"""A stand-in for trainium-runner on the loopback EC2/SSM fake's "instances", for the spot end-to-end test
(issue 12) while the runner's own interruption handling is on its branch: it keeps the runner's contract
(src/domain/runner-contract.ts; field names agreed with trainium-runner/sherpa_runner/contract.py) and
nothing more. It reads job.json from SHERPA_JOB_URI, restores `resumeFrom.checkpointUri`, "trains" one step
every STEP_SECONDS, syncs its checkpoint to `<resultsUri>checkpoint/` every CHECKPOINT_EVERY steps, and polls
the instance's metadata service (IMDSv2 at AWS_EC2_METADATA_SERVICE_ENDPOINT) for a spot notice; on one it
checkpoints and writes a result with status `interrupted`, else a `succeeded` one with execution info.

Test equipment only: never shipped, never run by the bot.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlparse

STEPS = int(os.environ.get("CONTRACT_RUNNER_STEPS", "12"))
STEP_SECONDS = float(os.environ.get("CONTRACT_RUNNER_STEP_SECONDS", "0.25"))
CHECKPOINT_EVERY = 2


def path_of(uri):
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        raise SystemExit("contract runner: only file:// URIs, got %s" % uri)
    return parsed.path


def write_json(path, document):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = path + ".tmp"
    with open(temporary, "w") as handle:
        json.dump(document, handle)
    os.replace(temporary, path)


class Imds:
    def __init__(self, endpoint):
        self.endpoint = endpoint.rstrip("/")
        request = urllib.request.Request(
            self.endpoint + "/latest/api/token", method="PUT",
            headers={"X-aws-ec2-metadata-token-ttl-seconds": "21600"})
        self.token = urllib.request.urlopen(request, timeout=2).read().decode()

    def get(self, path):
        request = urllib.request.Request(self.endpoint + "/latest/" + path, headers={"X-aws-ec2-metadata-token": self.token})
        try:
            return urllib.request.urlopen(request, timeout=2).read().decode()
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise


def main():
    job = json.load(open(path_of(os.environ["SHERPA_JOB_URI"])))
    results = path_of(job["resultsUri"])
    checkpoint_dir = os.path.join(results, "checkpoint")
    imds = Imds(os.environ["AWS_EC2_METADATA_SERVICE_ENDPOINT"])
    instance = {"id": imds.get("meta-data/instance-id"), "type": imds.get("meta-data/instance-type"),
                "amiId": imds.get("meta-data/ami-id")}
    instance["market"] = "spot" if imds.get("meta-data/instance-life-cycle") == "spot" else "on-demand"
    step, losses, restored = 0, [], None
    if job.get("resumeFrom"):
        restored = job["resumeFrom"]["checkpointUri"]
        state = json.load(open(os.path.join(path_of(restored), "state.json")))
        step = state["step"]
    started = time.time()
    started_iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started))
    syncs = 0

    def checkpoint():
        nonlocal syncs
        write_json(os.path.join(checkpoint_dir, "state.json"), {"step": step})
        syncs += 1

    def finish(status, extra):
        wall = round(time.time() - started, 3)
        summary = {}
        if losses:
            values = [value for _, value in losses]
            summary["loss"] = {"first": values[0], "last": values[-1], "best": min(values), "goal": "min",
                               "points": len(values)}
        document = {
            "schemaVersion": 1, "runId": job["runId"], "status": status, "backend": job["backend"],
            "exitCode": 0 if status == "succeeded" else None, "startedAt": started_iso,
            "finishedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "durationSeconds": wall,
            "metrics": {"series": {"loss": [{"step": s, "value": v} for s, v in losses]} if losses else {},
                        "summary": summary},
            "profile": {"kind": "none", "reason": "contract runner: no profiler"},
            "failure": None, "logTail": {"stdout": ["step %d" % step], "stderr": []},
            "truncated": {"stdout": False, "stderr": False}, "artifacts": [],
            "sandbox": {"user": "sherpa-run", "metadataBlocked": True, "envKeys": ["PATH"]},
            "checkpoint": {"uri": job["resultsUri"] + "checkpoint/", "syncs": syncs,
                           **({"restoredFrom": {"uri": restored}} if restored else {})},
            "execution": {"wallSeconds": wall, "runnerVersion": "contract-runner",
                          "interruptions": job.get("priorInterruptions", 0) + (1 if status == "interrupted" else 0),
                          "resumes": job.get("priorResumes", 0) + (1 if restored else 0),
                          "throughput": {"value": round(len(losses) / max(wall, 0.001), 3), "unit": "steps/s",
                                         "source": "runner"},
                          "instance": instance},
        }
        document.update(extra)
        write_json(os.path.join(results, "result.json"), document)

    while step < STEPS:
        notice = imds.get("meta-data/spot/instance-action")
        if notice:
            checkpoint()  # what the code does on SIGTERM; the runner then syncs it
            finish("interrupted", {"interruption": dict(json.loads(notice), stoppedWithinGrace=True)})
            return 0
        time.sleep(STEP_SECONDS)
        step += 1
        losses.append((step, round(2.3 / (1 + 0.1 * step), 4)))
        write_json(os.path.join(results, "progress.json"), {
            "runId": job["runId"], "phase": "running", "elapsedSeconds": round(time.time() - started, 3),
            "lastLogLine": "step %d" % step, "updatedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        if step % CHECKPOINT_EVERY == 0:
            checkpoint()
    finish("succeeded", {})
    return 0


if __name__ == "__main__":
    sys.exit(main())
