"""What each backend adds to a run: the child's command line, the runner-set environment, the profile step.

- neuron: the code runs as it is; the Neuron runtime's inspect mode captures the profile (neuron_profile.py).
- cuda: the code runs under torch_profile_wrapper.py, which wraps it in torch.profiler without editing it.
- cpu: the code runs as it is; no profiler.
"""

from __future__ import annotations

import os
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import neuron_profile, torch_profile
from .contract import JobSpec, no_profile

WRAPPER_NAME = "torch_profile_wrapper.py"
# Generated scripts read their wall-clock budget from this variable (src/codegen/checks/inspect-script.ts) and
# stop training in time to finish cleanly; the runner's timeout is the hard stop behind it.
BUDGET_ENV = "SHERPA_RUN_BUDGET_SECONDS"


def training_budget_seconds(timeout_seconds: int) -> int:
    """The time limit less 10 % (at least 5 s, at most 5 min) for saving, printing and the profile flush."""
    margin = min(max(timeout_seconds // 10, 5), 300)
    return max(timeout_seconds - margin, 1)


@dataclass
class CollectContext:
    env: Dict[str, str]
    # containment.Workspace (or UnconfinedWorkspace): where the run's files are, and how the sandbox sees them.
    workspace: Any
    artifacts_dir: str
    scratch_dir: str


Collector = Callable[[CollectContext], Tuple[Dict[str, object], List[str]]]


@dataclass
class BackendPlan:
    argv: List[str]
    env: Dict[str, str] = field(default_factory=dict)
    collect: Collector = lambda _context: (no_profile("no profiler"), [])
    # Host paths inside the working directory, created (owned by the run's uid) before the code starts.
    directories: List[str] = field(default_factory=list)


def plan_for(job: JobSpec, python: str, code_path: str, sherpa_dir: str, inside: Callable[[str], str],
             shared_cache: Optional[str] = None) -> BackendPlan:
    """`code_path` and `sherpa_dir` are host paths; `inside` maps them to what the sandbox sees (argv, env).
    `shared_cache`: the sandbox path of the search's compile cache the runner lent to this run (compile_cache.py)."""
    bare = [python, inside(code_path)]
    if job.backend == "cpu":
        plan = BackendPlan(bare, collect=lambda _c: (no_profile("the cpu backend has no profiler"), []))
    elif job.backend == "neuron":
        plan = _neuron_plan(job, bare, sherpa_dir, inside, shared_cache)
    else:
        plan = _cuda_plan(job, python, bare, code_path, sherpa_dir, inside)
    if BUDGET_ENV not in job.env:
        plan.env[BUDGET_ENV] = str(training_budget_seconds(job.timeout_seconds))
    return plan


def _neuron_plan(job: JobSpec, bare: List[str], sherpa_dir: str, inside: Callable[[str], str],
                 shared_cache: Optional[str]) -> BackendPlan:
    env = {}  # type: Dict[str, str]
    directories = []  # type: List[str]
    if shared_cache is not None:
        # The search's cache, lent by the runner: the job cannot point it elsewhere (runner-set env wins).
        env["NEURON_COMPILE_CACHE_URL"] = shared_cache
    else:
        # The run's own cache, in its working folder: a cache shared between runs of different searches would
        # let one run plant compiled graphs for another (README, "Security model"). The job may point elsewhere.
        compile_cache = os.path.join(sherpa_dir, "neuron-compile-cache")
        directories.append(compile_cache)
        if "NEURON_COMPILE_CACHE_URL" not in job.env:
            env["NEURON_COMPILE_CACHE_URL"] = inside(compile_cache)
    if not job.profile:
        return BackendPlan(bare, env, lambda _c: (no_profile("profiling was turned off for this job"), []), directories)
    inspect_dir = os.path.join(sherpa_dir, "neuron-inspect")
    env.update(neuron_profile.capture_env(inside(inspect_dir)))

    def collect(context: CollectContext) -> Tuple[Dict[str, object], List[str]]:
        return neuron_profile.collect(inspect_dir, context.env, context.workspace, context.artifacts_dir, context.scratch_dir)

    return BackendPlan(bare, env, collect, directories + [inspect_dir])


def _cuda_plan(job: JobSpec, python: str, bare: List[str], code_path: str, sherpa_dir: str, inside: Callable[[str], str]) -> BackendPlan:
    if not job.profile:
        return BackendPlan(bare, collect=lambda _c: (no_profile("profiling was turned off for this job"), []))
    wrapper = os.path.join(sherpa_dir, WRAPPER_NAME)
    output = os.path.join(sherpa_dir, "torch-profile.json")
    # get_data also works when the runner is imported straight from its zip bundle.
    source = pkgutil.get_data("sherpa_runner", WRAPPER_NAME)
    if source is None:
        raise RuntimeError("the runner package has no %s" % WRAPPER_NAME)
    with open(wrapper, "wb") as out:
        out.write(source)
    return BackendPlan(
        [python, inside(wrapper), inside(code_path)],
        {"SHERPA_TORCH_PROFILE_OUT": inside(output)},
        lambda context: torch_profile.collect(output, context.artifacts_dir),
    )
