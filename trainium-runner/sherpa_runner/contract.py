"""The job/progress/result shapes, mirrored from `src/domain/runner-contract.ts` (the zod schemas are the truth).

The bot parses result.json and progress.json with zod; a vitest test runs this runner and parses its output, so a
drift between the two files fails `npm test`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

SCHEMA_VERSION = 1
STATUSES = ("succeeded", "failed", "interrupted")
BACKENDS = ("neuron", "cuda", "cpu")
PHASES = ("fetching", "running", "profiling", "uploading", "done")
FAILURE_CLASSES = (
    "compiler_error",
    "neuroncore_unavailable",
    "out_of_memory",
    "timeout",
    "python_exception",
    "nonzero_exit",
    "fetch_failed",
    "runner_error",
    # Issue 13: stopped by the job's smoke gate, no METRICS line carrying the objective within its window.
    "no_objective",
)
DEFAULT_OUTPUT_CAP_BYTES = 20 * 1024 * 1024
# `compileCacheKey` (issue 13): as the zod schema has it; the runner hashes it with the paper id, never a path.
COMPILE_CACHE_KEY = r"^[A-Za-z0-9_.-]{1,64}\Z"
# `smokeGate.metric`: a METRICS key, as `ObjectiveSchema` in src/domain/objective.ts has it.
METRIC_NAME = r"^[A-Za-z_][A-Za-z0-9_.]{0,63}\Z"


class JobSpecError(ValueError):
    """job.json does not match the contract; the message names the field."""


@dataclass(frozen=True)
class SmokeGateSpec:
    """Issue 13: the run is stopped unless a METRICS line carrying `metric` appears within `seconds` of the code's
    start (smoke_gate.py says why the window counts from the start, compile included)."""

    seconds: int
    metric: str


@dataclass(frozen=True)
class JobSpec:
    run_id: str
    paper_id: str
    code_hash: str
    code_uri: str
    results_uri: str
    backend: str
    timeout_seconds: int
    output_cap_bytes: int = DEFAULT_OUTPUT_CAP_BYTES
    profile: bool = True
    env: Dict[str, str] = field(default_factory=dict)
    # Issue 12 (spot with checkpoint and resume); all optional, so older jobs read as before.
    # Seconds between syncs of SHERPA_CHECKPOINT_DIR to `<resultsUri>checkpoint/`; None: the runner's default.
    checkpoint_sync_seconds: Optional[int] = None
    # A checkpoint prefix an earlier attempt synced (its result's `checkpoint.uri`): restored before the code starts.
    resume_from_uri: Optional[str] = None
    # Earlier attempts of this run, counted by the bot; the result adds this attempt's.
    prior_interruptions: int = 0
    prior_resumes: int = 0
    # Runs with the same paper and key share one Neuron compile cache (compile_cache.py); None: the run's own.
    compile_cache_key: Optional[str] = None
    # An evolve variant's smoke stage as the first seconds of its one run; None: no gate.
    smoke_gate: Optional[SmokeGateSpec] = None


def _require_str(raw: Dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str):
        raise JobSpecError("job.%s must be a string, got %r" % (key, type(value).__name__))
    return value


def _positive_int(raw: Dict[str, Any], key: str, default: Optional[int]) -> int:
    value = raw.get(key, default)
    # bool is an int in Python; the zod schema refuses it, so do we.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value <= 0:
        raise JobSpecError("job.%s must be a positive integer, got %r" % (key, value))
    return int(value)


def _count(raw: Dict[str, Any], key: str) -> int:
    value = raw.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < 0:
        raise JobSpecError("job.%s must be a non-negative integer, got %r" % (key, value))
    return int(value)


def _resume_from(raw: Dict[str, Any]) -> Optional[str]:
    resume = raw.get("resumeFrom")
    if resume is None:
        return None
    if not isinstance(resume, dict) or not isinstance(resume.get("checkpointUri"), str) or not resume["checkpointUri"]:
        raise JobSpecError("job.resumeFrom must be {\"checkpointUri\": \"s3://…/checkpoint/\"}")
    return resume["checkpointUri"]


def _compile_cache_key(raw: Dict[str, Any]) -> Optional[str]:
    key = raw.get("compileCacheKey")
    if key is None:
        return None
    if not isinstance(key, str) or not re.match(COMPILE_CACHE_KEY, key):
        raise JobSpecError("job.compileCacheKey must be 1-64 of A-Z a-z 0-9 _ . -, got %r" % (key,))
    return key


def _smoke_gate(raw: Dict[str, Any]) -> Optional[SmokeGateSpec]:
    gate = raw.get("smokeGate")
    if gate is None:
        return None
    if not isinstance(gate, dict):
        raise JobSpecError("job.smokeGate must be {\"seconds\": <positive integer>, \"metric\": \"<METRICS key>\"}")
    seconds = gate.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds != int(seconds) or seconds <= 0:
        raise JobSpecError("job.smokeGate.seconds must be a positive integer, got %r" % (seconds,))
    metric = gate.get("metric")
    if not isinstance(metric, str) or not re.match(METRIC_NAME, metric):
        raise JobSpecError("job.smokeGate.metric must be a METRICS key (letters, digits, _ and .), got %r" % (metric,))
    return SmokeGateSpec(int(seconds), metric)


def parse_job(text: str) -> JobSpec:
    """Validate job.json like `RunnerJobSchema.parse` does (unknown keys are ignored, defaults applied)."""
    try:
        raw = json.loads(text)
    except ValueError as error:
        raise JobSpecError("job.json is not JSON: %s" % error)
    if not isinstance(raw, dict):
        raise JobSpecError("job.json must be an object")
    if raw.get("schemaVersion") != SCHEMA_VERSION:
        raise JobSpecError("job.schemaVersion must be %d, got %r" % (SCHEMA_VERSION, raw.get("schemaVersion")))
    backend = _require_str(raw, "backend")
    if backend not in BACKENDS:
        raise JobSpecError("job.backend must be one of %s, got %r" % (", ".join(BACKENDS), backend))
    profile = raw.get("profile", True)
    if not isinstance(profile, bool):
        raise JobSpecError("job.profile must be a boolean")
    env = raw.get("env", {})
    if not isinstance(env, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in env.items()):
        raise JobSpecError("job.env must map strings to strings")
    return JobSpec(
        run_id=_require_str(raw, "runId"),
        paper_id=_require_str(raw, "paperId"),
        code_hash=_require_str(raw, "codeHash"),
        code_uri=_require_str(raw, "codeUri"),
        results_uri=_require_str(raw, "resultsUri"),
        backend=backend,
        timeout_seconds=_positive_int(raw, "timeoutSeconds", None),
        output_cap_bytes=_positive_int(raw, "outputCapBytes", DEFAULT_OUTPUT_CAP_BYTES),
        profile=profile,
        env=dict(env),
        checkpoint_sync_seconds=_positive_int(raw, "checkpointSyncSeconds", None) if "checkpointSyncSeconds" in raw else None,
        resume_from_uri=_resume_from(raw),
        prior_interruptions=_count(raw, "priorInterruptions"),
        prior_resumes=_count(raw, "priorResumes"),
        compile_cache_key=_compile_cache_key(raw),
        smoke_gate=_smoke_gate(raw),
    )


def progress_document(run_id: str, phase: str, elapsed_seconds: float, last_log_line: Optional[str], updated_at: str) -> Dict[str, Any]:
    """`RunnerProgressSchema`: lastLogLine is left out rather than null (zod `.optional()` refuses null)."""
    if phase not in PHASES:
        raise ValueError("unknown phase %r" % phase)
    document: Dict[str, Any] = {
        "runId": run_id,
        "phase": phase,
        "elapsedSeconds": round(elapsed_seconds, 3),
        "updatedAt": updated_at,
    }
    if last_log_line:
        document["lastLogLine"] = last_log_line
    return document


def failure_document(failure_class: str, message: str, code: Optional[str] = None) -> Dict[str, Any]:
    if failure_class not in FAILURE_CLASSES:
        raise ValueError("unknown failure class %r" % failure_class)
    document: Dict[str, Any] = {"class": failure_class, "message": message}
    if code:
        document["code"] = code
    return document


def no_profile(reason: str) -> Dict[str, Any]:
    return {"kind": "none", "reason": reason}


@dataclass
class SandboxReport:
    user: str
    metadata_blocked: bool
    env_keys: List[str]
    rejected_env_keys: List[str] = field(default_factory=list)
    # Optional additions (issue 10): "kernel" (namespaces, cgroup, own uid) or "none" (--unconfined).
    containment: Optional[str] = None
    # "host" (metadata block verified) or "none" (own network namespace, loopback only).
    network: Optional[str] = None
    uid: Optional[int] = None
    limits: Optional[Dict[str, int]] = None

    def to_json(self) -> Dict[str, Any]:
        document: Dict[str, Any] = {
            "user": self.user,
            "metadataBlocked": self.metadata_blocked,
            "envKeys": sorted(self.env_keys),
        }
        if self.rejected_env_keys:
            document["rejectedEnvKeys"] = sorted(self.rejected_env_keys)
        for key, value in (("containment", self.containment), ("network", self.network), ("uid", self.uid), ("limits", self.limits)):
            if value is not None:
                document[key] = value
        return document
