"""Assembles result.json (`RunnerResultSchema`) from what one run produced."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from .contract import SCHEMA_VERSION, SandboxReport, no_profile
from .log_watch import LogWatch
from .metrics import MetricsCollector


@dataclass
class RunRecord:
    run_id: str
    backend: str
    started_at: str
    finished_at: str = ""
    exit_code: Optional[int] = None
    # The code's own wall time (fetching, profiling and uploading excluded).
    duration_seconds: float = 0.0
    failure: Optional[Dict[str, Any]] = None
    profile: Dict[str, Any] = field(default_factory=lambda: no_profile("the code did not run"))
    truncated: Dict[str, bool] = field(default_factory=lambda: {"stdout": False, "stderr": False})
    artifacts: List[str] = field(default_factory=list)
    sandbox: SandboxReport = field(default_factory=lambda: SandboxReport(user="", metadata_blocked=False, env_keys=[]))
    # Issue 12: stopped by a spot interruption notice (status `interrupted`, failure null), and what it cost.
    interrupted: bool = False
    interruption: Optional[Dict[str, Any]] = None
    checkpoint: Optional[Dict[str, Any]] = None
    execution: Optional[Dict[str, Any]] = None
    peak_host_memory_bytes: Optional[int] = None
    compile_seconds: Optional[float] = None
    # Neuron: "search" (the search's shared cache, lent by the runner) or "run" (the run's own).
    compile_cache: Optional[str] = None
    # Issue 13: the job's smoke gate (smoke_gate.SmokeGate), reported as execution.smokeGate.
    smoke_gate: Optional[Any] = None


def status_of(record: RunRecord) -> str:
    if record.interrupted:
        return "interrupted"
    return "succeeded" if record.failure is None else "failed"


def build_result(record: RunRecord, metrics: MetricsCollector, watch: LogWatch) -> Dict[str, Any]:
    document = {
        "schemaVersion": SCHEMA_VERSION,
        "runId": record.run_id,
        "status": status_of(record),
        "backend": record.backend,
        "exitCode": record.exit_code,
        "startedAt": record.started_at,
        "finishedAt": record.finished_at,
        "durationSeconds": round(record.duration_seconds, 3),
        "metrics": metrics.to_json(),
        "profile": record.profile,
        "failure": record.failure,
        "logTail": {"stdout": watch.result_tail("stdout"), "stderr": watch.result_tail("stderr")},
        "truncated": dict(record.truncated),
        "artifacts": sorted(set(record.artifacts)),
        "sandbox": record.sandbox.to_json(),
    }
    # Optional additions (issue 12): left out rather than null, as zod's `.optional()` wants.
    for key, value in (("execution", record.execution), ("checkpoint", record.checkpoint), ("interruption", record.interruption)):
        if value is not None:
            document[key] = value
    return document
