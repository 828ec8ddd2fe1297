"""What a run ran on and how fast (issue 12, item 6): result.json's `execution` block.

Measured by the runner, outside the sandbox, where it can be: wall time, peak host memory (the run's cgroup),
the devices (nvidia-smi, /dev/neuron*), the instance (IMDS). Taken from the code's own output where only the
code knows: throughput from METRICS (`tokens_per_sec`, `samples_per_sec`, …; else the runner's steps/s from the
`step` of METRICS lines over time), peak GPU memory from the profiling wrapper. Compile time on Neuron is read
from the run's own compile cache: per compiled module, from its first input file to its NEFF.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import stat
import subprocess
from typing import Any, Dict, List, Optional

from . import __version__
from .metrics import MetricsCollector

_TOKENS = re.compile(r"(^|[^a-z])(tokens?|tok)(_per_sec(ond)?|_per_s|/s|_s|ps)$")
_SAMPLES = re.compile(r"(^|[^a-z])(samples?|examples?|images?|sequences?|seqs?)(_per_sec(ond)?|_per_s|/s|_s|ps)$")
_NEURON_FAMILIES = (("trn2", "AWS Trainium2"), ("trn1", "AWS Trainium"), ("inf2", "AWS Inferentia2"), ("inf1", "AWS Inferentia"))
MAX_CACHE_ENTRIES = 10000


def _median(values: List[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2.0


def throughput(metrics: MetricsCollector) -> Optional[Dict[str, Any]]:
    """The code's own tokens or samples per second (median of its points, the first left out as warm-up when
    there are more); else the runner's steps/s between the first and the latest METRICS line with a `step`."""
    for unit, pattern in (("tokens/s", _TOKENS), ("samples/s", _SAMPLES)):
        for name in sorted(metrics.series):
            if pattern.search(name.lower()):
                values = [point["value"] for point in metrics.series[name].retained()]
                values = values[1:] if len(values) > 2 else values
                if values:
                    return {"value": round(_median(values), 3), "unit": unit, "source": "metrics", "metric": name}
    first, last = metrics.first_step, metrics.last_step
    if first is not None and last is not None and last[0] - first[0] > 0 and last[1] > first[1]:
        return {"value": round((last[1] - first[1]) / (last[0] - first[0]), 3), "unit": "steps/s", "source": "runner"}
    return None


def _nvidia_devices() -> Optional[Dict[str, Any]]:
    tool = shutil.which("nvidia-smi")
    if tool is None:
        return None
    try:
        done = subprocess.run([tool, "--query-gpu=name", "--format=csv,noheader"], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    names = [line.strip() for line in done.stdout.decode("utf-8", "replace").splitlines() if line.strip()]
    return {"name": names[0][:200], "count": len(names)} if done.returncode == 0 and names else None


def device_info(backend: str, instance_type: Optional[str], profile: Dict[str, Any], dev_dir: str = "/dev") -> Optional[Dict[str, Any]]:
    if backend == "cuda":
        found = _nvidia_devices()
        if found is None and profile.get("kind") == "torch" and isinstance(profile["summary"].get("device"), str):
            found = {"name": profile["summary"]["device"], "count": 1}
        return found
    if backend == "neuron":
        count = len([path for path in glob.glob(os.path.join(dev_dir, "neuron*")) if re.search(r"neuron\d+$", path)])
        family = (instance_type or "").split(".")[0]
        name = next((label for prefix, label in _NEURON_FAMILIES if family == prefix), "AWS Neuron device")
        return {"name": name, "count": count} if count else None
    return None


def neuron_compile_seconds(cache_dir: str, limit_seconds: float, since: Optional[float] = None) -> Optional[float]:
    """Per module folder holding a `*.neff`: its newest NEFF's mtime less its oldest other file's; summed.
    `since` (a search's shared cache): only modules whose NEFF was written at or after it, i.e. by this run.

    The folder is the code's (it could fake the times), so the sum is clamped to the code's own wall time."""
    if not os.path.isdir(cache_dir) or os.path.islink(cache_dir):
        return None
    total, modules, seen = 0.0, 0, 0
    for _directory, _dirs, names, dir_fd in os.fwalk(cache_dir, follow_symlinks=False):
        neffs, inputs = [], []
        for name in names:
            seen += 1
            if seen > MAX_CACHE_ENTRIES:
                break
            try:
                info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode):
                (neffs if name.endswith(".neff") else inputs).append(info.st_mtime)
        if neffs and inputs and (since is None or max(neffs) >= since):
            total += max(0.0, max(neffs) - min(inputs))
            modules += 1
    return round(min(total, limit_seconds), 3) if modules else None


def market(instance: Dict[str, str]) -> Optional[str]:
    life_cycle = instance.get("lifeCycle")
    if life_cycle == "spot":
        return "spot"
    return "on-demand" if life_cycle in ("on-demand", "normal", "scheduled") else None


def build_execution(
    wall_seconds: float,
    metrics: MetricsCollector,
    backend: str,
    profile: Dict[str, Any],
    instance: Dict[str, str],
    peak_host_bytes: Optional[int],
    compile_seconds: Optional[float],
    interruptions: int,
    resumes: int,
    rebalance_at: Optional[str] = None,
    compile_cache: Optional[str] = None,
) -> Dict[str, Any]:
    document = {
        "wallSeconds": round(wall_seconds, 3),
        "runnerVersion": __version__,
        "interruptions": interruptions,
        "resumes": resumes,
    }  # type: Dict[str, Any]
    rate = throughput(metrics)
    if rate is not None:
        document["throughput"] = rate
    if compile_seconds is not None:
        document["compileSeconds"] = compile_seconds
    if compile_cache is not None:
        document["compileCache"] = compile_cache
    if peak_host_bytes:
        document["peakHostMemoryBytes"] = int(peak_host_bytes)
    if profile.get("kind") == "torch" and isinstance(profile["summary"].get("peakMemoryBytes"), int):
        document["peakDeviceMemoryBytes"] = profile["summary"]["peakMemoryBytes"]
    device = device_info(backend, instance.get("type"), profile)
    if device is not None:
        document["device"] = device
    facts = {key: instance[key] for key in ("id", "type", "amiId") if instance.get(key)}
    if market(instance):
        facts["market"] = market(instance)
    if facts:
        document["instance"] = facts
    if rebalance_at:
        document["rebalanceRecommendedAt"] = rebalance_at
    return document
