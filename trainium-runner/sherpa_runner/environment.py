"""The sandboxed code's environment: built from an allowlist, never copied from the runner's.

The runner's own environment may hold AWS credentials (or anything SSM passes along); the code sees only the
names below, the job's `env` entries that pass the same allowlist, and what the runner sets itself.
"""

from __future__ import annotations

import os
import re
from typing import Dict, List, Mapping, Tuple

# Taken from the runner's environment when present: locale, search paths, and the GPU hosts' safety switches
# (NVLink multicast must stay off on shared multi-GPU hosts, also for programs started with their own environment).
INHERITED_NAMES = frozenset(
    {
        "PATH",
        "LANG",
        "LC_ALL",
        "LC_CTYPE",
        "TZ",
        "LD_LIBRARY_PATH",
        "VIRTUAL_ENV",
        "CUDA_VISIBLE_DEVICES",
        "NCCL_NVLS_ENABLE",
        "TORCH_SYMM_MEM_DISABLE_MULTICAST",
        "NVSHMEM_DISABLE_NVLS",
    }
)
INHERITED_PREFIXES = ("NEURON_", "XLA_", "PJRT_")

# What a job may set: framework and runtime tuning, never credentials.
JOB_ALLOWED_NAMES = frozenset(
    {
        "PYTHONHASHSEED",
        "PYTHONFAULTHANDLER",
        "PYTHONWARNINGS",
        "CUBLAS_WORKSPACE_CONFIG",
        "MALLOC_ARENA_MAX",
        "CUDA_VISIBLE_DEVICES",
        "TOKENIZERS_PARALLELISM",
        "SHERPA_RUN_BUDGET_SECONDS",
    }
)
JOB_ALLOWED_PREFIXES = ("NEURON_", "XLA_", "PJRT_", "TORCH_", "CUDA_", "NCCL_", "OMP_", "MKL_", "HF_")

# Checked on `_`-separated words so TOKENIZERS_PARALLELISM passes and HF_TOKEN does not.
_SECRET_WORDS = frozenset({"TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "CREDENTIALS", "KEY", "PRIVATE"})
_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")

NEURON_TOOLS_DIR = "/opt/aws/neuron/bin"


def looks_secret(name: str) -> bool:
    upper = name.upper()
    return upper.startswith("AWS_") or any(word in _SECRET_WORDS for word in upper.split("_"))


def job_may_set(name: str) -> bool:
    if not _NAME.match(name) or looks_secret(name):
        return False
    return name in JOB_ALLOWED_NAMES or name.startswith(JOB_ALLOWED_PREFIXES)


def _inherited(parent: Mapping[str, str]) -> Dict[str, str]:
    env = {}
    for name, value in parent.items():
        if looks_secret(name):
            continue
        if name in INHERITED_NAMES or name.startswith(INHERITED_PREFIXES):
            env[name] = value
    return env


def build_child_env(
    parent: Mapping[str, str],
    job_env: Mapping[str, str],
    runner_env: Mapping[str, str],
    home: str,
    user: str,
    tmp: str,
) -> Tuple[Dict[str, str], List[str]]:
    """Returns the child's environment and the job's names that were refused.

    Precedence: inherited < job < runner-set (profiling switches and paths must not be overridden by the job).
    """
    env = _inherited(parent)
    rejected = []
    for name, value in job_env.items():
        if job_may_set(name):
            env[name] = value
        else:
            rejected.append(name)
    path = env.get("PATH") or "/usr/local/bin:/usr/bin:/bin"
    if os.path.isdir(NEURON_TOOLS_DIR) and NEURON_TOOLS_DIR not in path.split(os.pathsep):
        path = path + os.pathsep + NEURON_TOOLS_DIR
    env.update(
        {
            "PATH": path,
            "HOME": home,
            "TMPDIR": tmp,
            "USER": user,
            "LOGNAME": user,
            # Unbuffered output keeps the progress file's last log line current.
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.setdefault("LANG", "C.UTF-8")
    env.update(runner_env)
    return env, sorted(rejected)
