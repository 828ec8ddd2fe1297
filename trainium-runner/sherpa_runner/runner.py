"""One run, start to finish: fetch → sandboxed run → profile → classify → upload artifacts and result.json."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from typing import Dict, Optional

from . import backends, checkpoint, imds, locations, run_marker
from .capped_stream import CappedStream
from .child_process import run_child
from .code_fetch import CodeFetchError, code_file_name, fetch_code
from .compile_cache import SANDBOX_CACHE, SharedCompileCache, lend_for_run
from .containment import ContainmentUnavailable, Limits, UnconfinedWorkspace, Workspace, decide, limits_from
from .contract import JobSpec, JobSpecError, SandboxReport, failure_document, no_profile, parse_job
from .environment import build_child_env
from .execution_info import build_execution, neuron_compile_seconds
from .failures import classify
from .log_watch import LogWatch
from .metrics import MetricsCollector
from .progress import ProgressReporter
from .result import RunRecord, build_result
from .run_guard import DEFAULT_SYNC_RESERVE_SECONDS, DEFAULT_SYNC_SECONDS, CheckpointSync, RunGuard, iso
from .sandbox_user import current_user_name, device_gids
from .smoke_gate import SmokeGate, compiler_running
from .spot_watch import DEFAULT_POLL_SECONDS, SpotWatcher
from .timestamps import utc_now
from .uid_pool import NoFreeUid

EXIT_RESULT_WRITTEN = 0
EXIT_NO_JOB = 2
EXIT_NO_RESULT = 3
# The run id already started on this machine: nothing was run, and the first start's result.json is left alone.
EXIT_ALREADY_STARTED = 4
EXIT_NO_MARKER = 5
ROOT_WORK_ROOT = "/var/lib/sherpa-runner"
MAX_JOB_BYTES = 1024 * 1024
CHECKPOINT_ENV = "SHERPA_CHECKPOINT_DIR"
UNCONFINED_CHECKPOINT_BYTES = 16 * 1024 * 1024 * 1024


@dataclass
class RunnerOptions:
    progress_interval_seconds: float = 30.0
    work_root: Optional[str] = None
    python: str = sys.executable
    keep_workdir: bool = False
    # "auto": the host network when the metadata block is verified, else a network namespace with loopback only.
    network: str = "auto"
    # Only for an ordinary user's local trial: no containment at all, and result.json says so.
    unconfined: bool = False
    # None: from the machine's size and SHERPA_* variables (containment.limits_from).
    limits: Optional[Limits] = None
    # Spot notices (issue 12): how often IMDS is polled, and what of the notice's two minutes is kept back from
    # the code's grace for the final checkpoint sync and result.json.
    spot_poll_seconds: float = DEFAULT_POLL_SECONDS
    sync_reserve_seconds: float = DEFAULT_SYNC_RESERVE_SECONDS
    # The checkpoint sync interval when the job names none.
    checkpoint_sync_seconds: int = DEFAULT_SYNC_SECONDS


def _log(message: str) -> None:
    sys.stderr.write("sherpa-runner: %s\n" % message)
    sys.stderr.flush()


def _json_publisher(results_uri: str, scratch: str, name: str):
    def publish(document: Dict[str, object]) -> None:
        local = os.path.join(scratch, name)
        with open(local, "w") as out:
            json.dump(document, out)
        locations.put(local, locations.join(results_uri, name))

    return publish


def _open_workspace(job: JobSpec, options: RunnerOptions, work_root: str, record: RunRecord):
    """The run's workspace; raises (ContainmentUnavailable, NoFreeUid, OSError) when the code must not run."""
    if options.unconfined:
        if os.geteuid() == 0:
            raise ContainmentUnavailable("--unconfined is refused as root: the code would run as root")
        record.sandbox = SandboxReport(current_user_name(), False, [], containment="none", network="host")
        return UnconfinedWorkspace(work_root, job.run_id, current_user_name())
    limits = options.limits or limits_from(os.environ)
    decided = decide(options.network, limits)
    workspace = Workspace(decided, work_root, job.run_id, device_gids())
    record.sandbox = SandboxReport(
        workspace.user, True, [], containment="kernel", network=decided.network, uid=workspace.uid, limits=limits.to_json()
    )
    return workspace


def _prepare_checkpoint(job: JobSpec, workspace, sherpa_dir: str, guard: RunGuard, scratch: str, record: RunRecord) -> Optional[str]:
    """Makes the run's checkpoint folder and restores the job's checkpoint into it; the host path, or None
    (with record.failure set) when the checkpoint to resume from cannot be restored: nothing runs then."""
    folder = os.path.join(sherpa_dir, "checkpoint")
    os.mkdir(folder)
    workspace.give(folder, 0o700)
    max_bytes = workspace.containment.limits.work_bytes if workspace.contained else UNCONFINED_CHECKPOINT_BYTES
    guard.sync.folder, guard.sync.max_bytes = folder, max_bytes
    if job.resume_from_uri:
        try:
            restored = checkpoint.restore(job.resume_from_uri, folder, scratch, workspace.give, max_bytes)
        except (checkpoint.CheckpointError, OSError) as error:
            record.failure = failure_document(
                "runner_error", ("the checkpoint to resume from could not be restored, the code was not run: %s" % error)[:500]
            )
            return None
        restored["uri"] = job.resume_from_uri
        guard.sync.restored = restored
    return folder


def _execute(job: JobSpec, options: RunnerOptions, record: RunRecord, scratch: str, artifacts_dir: str,
             metrics: MetricsCollector, watch: LogWatch, progress: ProgressReporter, guard: RunGuard) -> None:
    work_root = options.work_root or default_work_root(os.geteuid() == 0)
    try:
        workspace = _open_workspace(job, options, work_root, record)
    except (ContainmentUnavailable, NoFreeUid, OSError) as error:
        record.failure = failure_document("runner_error", ("sandbox unavailable, the code was not run: %s" % error)[:500])
        return
    shared_cache = None  # type: Optional[SharedCompileCache]
    try:
        fetched = os.path.join(scratch, "code")
        try:
            fetch_code(job.code_uri, job.code_hash, fetched)
        except CodeFetchError as error:
            record.failure = failure_document("fetch_failed", str(error)[:500])
            return
        code_path = os.path.join(workspace.work, code_file_name(job.code_uri))
        shutil.copyfile(fetched, code_path)
        workspace.give(code_path, 0o600)
        sherpa_dir = os.path.join(workspace.work, ".sherpa")
        os.mkdir(sherpa_dir)
        workspace.give(sherpa_dir, 0o700)
        shared_cache = lend_for_run(job, work_root, workspace, _log)
        record.compile_cache = ("search" if shared_cache else "run") if job.backend == "neuron" else None
        lent = workspace.lend(shared_cache.folder, SANDBOX_CACHE) if shared_cache else None
        plan = backends.plan_for(job, options.python, code_path, sherpa_dir, workspace.inside, lent)
        checkpoint_dir = _prepare_checkpoint(job, workspace, sherpa_dir, guard, scratch, record)
        if checkpoint_dir is None:
            return
        plan.env[CHECKPOINT_ENV] = workspace.inside(checkpoint_dir)
        for directory in plan.directories:
            os.makedirs(directory, exist_ok=True)
            workspace.give(directory, 0o700)
        home = workspace.inside(workspace.work)
        tmp = "/tmp" if workspace.contained else os.path.join(workspace.work, "tmp")
        if not workspace.contained:
            os.mkdir(tmp)
        env, rejected = build_child_env(os.environ, job.env, plan.env, home, workspace.user, tmp)
        if rejected:
            _log("job env names refused by the allowlist: %s" % ", ".join(rejected))
        record.sandbox.env_keys, record.sandbox.rejected_env_keys = list(env), rejected
        gate = None
        if job.smoke_gate:
            # The run's processes are the run's uid's (contained) or this user's (--unconfined, a local trial).
            run_uid = workspace.uid if workspace.uid is not None else os.getuid()
            gate = SmokeGate(job.smoke_gate, guard.stop_request, compiling=lambda: compiler_running(run_uid))
        record.smoke_gate = gate
        listeners = [metrics.feed, watch.listener("stdout")] + ([gate.feed] if gate else [])
        stdout = CappedStream(os.path.join(artifacts_dir, "stdout.log"), job.output_cap_bytes, listeners, b"METRICS:")
        stderr = CappedStream(os.path.join(artifacts_dir, "stderr.log"), job.output_cap_bytes, [watch.listener("stderr")])
        if guard.stop_request.requested:
            record.interrupted = True  # the notice came before the code started: nothing to stop, nothing lost
            record.interruption = guard.interruption_report(None, False)
            return
        progress.set_phase("running")
        guard.code_started()
        code_started_at = time.time()
        if gate is not None:
            gate.start()  # the window counts the code's time outside its compiler (smoke_gate.py says why)
        try:
            outcome = run_child(plan.argv, env, home, workspace, job.timeout_seconds, stdout, stderr, stop=guard.stop_request)
        finally:
            if gate is not None:
                gate.end()
            guard.code_ended()
        record.exit_code = outcome.exit_code
        record.peak_host_memory_bytes = outcome.peak_memory_bytes
        record.duration_seconds = outcome.duration_seconds
        record.truncated = {"stdout": stdout.truncated, "stderr": stderr.truncated}
        record.artifacts += ["stdout.log", "stderr.log"]
        if outcome.start_error is not None:
            record.failure = failure_document("runner_error", ("the code could not be started: %s" % outcome.start_error)[:500])
            return
        if outcome.leftovers:
            _log("processes left in the run's cgroup were killed: %s" % outcome.leftovers)
        if outcome.interrupted and gate is not None and gate.stopped_the_run():
            # Stopped by the gate, not by a spot notice: a failed run (nothing to resume), classified as such.
            record.profile = no_profile("the run was stopped at its smoke gate before it could be profiled")
            record.failure = failure_document("no_objective", gate.failure_message())
            return
        if outcome.interrupted:
            # Minutes count now: no profile, the checkpoint first, then the logs and result.json.
            record.interrupted = True
            record.interruption = guard.interruption_report(outcome.stop_seconds, outcome.killed_after_grace)
            record.profile = no_profile("the run was interrupted by a spot notice before it could be profiled")
            guard.sync.sync("interruption")
            return
        if shared_cache is not None:
            record.compile_seconds = neuron_compile_seconds(shared_cache.folder, outcome.duration_seconds, since=code_started_at)
        elif job.backend == "neuron" and "NEURON_COMPILE_CACHE_URL" not in job.env:
            record.compile_seconds = neuron_compile_seconds(os.path.join(sherpa_dir, "neuron-compile-cache"), outcome.duration_seconds)
        if job.profile and job.backend != "cpu":
            progress.set_phase("profiling")
        context = backends.CollectContext(env, workspace, artifacts_dir, scratch)
        record.profile, profile_artifacts = plan.collect(context)
        record.artifacts += profile_artifacts
        record.failure = classify(
            outcome.exit_code, outcome.timed_out, job.timeout_seconds, watch.signals(), watch.tail("stdout"), watch.tail("stderr")
        )
        if record.failure is not None:
            guard.sync.sync("final")  # a failed run may be resumed from where it got to (MAX_RESUMES)
    finally:
        if options.keep_workdir:
            # For debugging a first real run: a copy survives the working folder's tmpfs (and the run's uid).
            shutil.copytree(workspace.work, workspace.run_dir + ".kept", symlinks=True)
        workspace.close()
        if shared_cache is not None:
            try:
                shared_cache.close()  # after the run's namespace is gone: back to root, then free for the next run
            except OSError as error:
                _log("the search's compile cache was not handed back cleanly: %s" % error)


def _upload(job: JobSpec, record: RunRecord, artifacts_dir: str) -> None:
    uploaded = []
    for name in sorted(set(record.artifacts)):
        try:
            locations.put(os.path.join(artifacts_dir, name), locations.join(job.results_uri, name))
            uploaded.append(name)
        except locations.LocationError as error:
            _log("artifact %s not uploaded: %s" % (name, error))
    record.artifacts = uploaded


def default_work_root(is_root: bool) -> str:
    return ROOT_WORK_ROOT if is_root else os.path.join(tempfile.gettempdir(), "sherpa-runner-%d" % os.getuid())


def _guard_for(job: JobSpec, options: RunnerOptions, scratch: str) -> RunGuard:
    endpoint = imds.endpoint_from(os.environ)
    sync = CheckpointSync(
        "", locations.join(job.results_uri, "checkpoint/"), job.run_id, scratch, 0,
        job.checkpoint_sync_seconds or options.checkpoint_sync_seconds,
    )

    def watcher(**callbacks) -> SpotWatcher:
        return SpotWatcher(imds.Imds(endpoint) if endpoint else None, poll_seconds=options.spot_poll_seconds, **callbacks)

    return RunGuard(watcher, sync, options.sync_reserve_seconds)


def _execution(job: JobSpec, record: RunRecord, metrics: MetricsCollector, guard: RunGuard, wall_seconds: float) -> dict:
    watcher = guard.watcher
    watcher.stop()
    if watcher.imds is not None and not watcher.instance and not watcher.gave_up:
        try:  # a run shorter than the watcher's first answer: one direct look (fails fast off EC2)
            watcher.instance = watcher.imds.instance()
        except Exception as error:
            _log("instance facts not read: %s" % error)
    rebalance = watcher.rebalance
    document = build_execution(
        wall_seconds, metrics, job.backend, record.profile, watcher.instance, record.peak_host_memory_bytes,
        record.compile_seconds, job.prior_interruptions + (1 if record.interrupted else 0),
        job.prior_resumes + (1 if guard.sync.restored else 0), iso(rebalance.received_at) if rebalance else None,
        record.compile_cache,
    )
    if record.smoke_gate is not None:
        document["smokeGate"] = record.smoke_gate.report()
    return document


def run(job_uri: str, options: RunnerOptions) -> int:
    started_at = utc_now()
    started = time.monotonic()
    scratch = tempfile.mkdtemp(prefix="sherpa-scratch-")
    try:
        try:
            job_file = os.path.join(scratch, "job.json")
            locations.fetch(job_uri, job_file, MAX_JOB_BYTES)
            with open(job_file) as raw:
                job = parse_job(raw.read())
        except (locations.LocationError, JobSpecError) as error:
            _log("cannot read the job (no result location to report to): %s" % error)
            return EXIT_NO_JOB
        state_dir = options.work_root or default_work_root(os.geteuid() == 0)
        try:
            run_marker.claim(state_dir, job.run_id)
        except run_marker.AlreadyStarted as error:
            _log(str(error))
            print("SHERPA_ALREADY_STARTED runId=%s" % job.run_id)
            return EXIT_ALREADY_STARTED
        except OSError as error:
            # Without the marker a redelivery could run the code twice: nothing runs, nothing is overwritten.
            _log("cannot record the run's start under %s: %s" % (state_dir, error))
            return EXIT_NO_MARKER
        artifacts_dir = os.path.join(scratch, "results")
        os.makedirs(artifacts_dir)
        metrics, watch = MetricsCollector(), LogWatch()
        record = RunRecord(run_id=job.run_id, backend=job.backend, started_at=started_at)
        progress = ProgressReporter(
            job.run_id, _json_publisher(job.results_uri, scratch, "progress.json"), options.progress_interval_seconds, lambda: watch.last_line
        )
        progress.start()
        guard = _guard_for(job, options, scratch)
        guard.start()
        try:
            _execute(job, options, record, scratch, artifacts_dir, metrics, watch, progress, guard)
        except Exception as error:  # the bot must always get a result.json, also when the runner itself breaks
            _log(traceback.format_exc())
            record.failure = failure_document("runner_error", ("%s: %s" % (type(error).__name__, error))[:500])
        record.execution = _execution(job, record, metrics, guard, time.monotonic() - started)
        record.checkpoint = guard.sync.report() if guard.sync.folder else None
        record.finished_at = utc_now()
        progress.set_phase("uploading")
        _upload(job, record, artifacts_dir)
        result = build_result(record, metrics, watch)
        try:
            _json_publisher(job.results_uri, scratch, "result.json")(result)
        except locations.LocationError as error:
            _log("result.json not written: %s" % error)
            return EXIT_NO_RESULT
        progress.finish()
        # One short line for the SSM command output (which keeps only the first 24,000 characters).
        print("SHERPA_RESULT %s status=%s" % (locations.join(job.results_uri, "result.json"), result["status"]))
        return EXIT_RESULT_WRITTEN
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
