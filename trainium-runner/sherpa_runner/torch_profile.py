"""Reads what `torch_profile_wrapper.py` wrote in the sandbox and turns it into the contract's TorchProfile.

The file lives in the code's working directory, so the code could have replaced it: it is opened without
following links, size-capped, and every field is checked before it reaches result.json.
"""

from __future__ import annotations

import json
import math
import os
import stat
from typing import Any, Dict, List, Optional, Tuple

from .contract import no_profile

MAX_BYTES = 4 * 1024 * 1024
MAX_OPERATORS = 15
NAME_CHARS = 200


def read_untrusted_json(path: str) -> Optional[Any]:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return None
        try:
            return json.loads(handle.read().decode("utf-8", "replace"))
        except ValueError:
            return None


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
        return None
    return float(value)


def _operators(raw: Any) -> List[Dict[str, Any]]:
    operators = []
    for row in raw if isinstance(raw, list) else []:
        if not isinstance(row, dict) or not isinstance(row.get("name"), str):
            continue
        self_ms, total_ms, calls = _number(row.get("selfTimeMs")), _number(row.get("totalTimeMs")), _number(row.get("calls"))
        if self_ms is None or total_ms is None or calls is None:
            continue
        operators.append({"name": row["name"][:NAME_CHARS], "selfTimeMs": self_ms, "totalTimeMs": total_ms, "calls": int(calls)})
    return operators[:MAX_OPERATORS]


def collect(output_path: str, artifacts_dir: str) -> Tuple[Dict[str, Any], List[str]]:
    document = read_untrusted_json(output_path)
    if not isinstance(document, dict):
        return no_profile("torch.profiler wrote no readable summary (did the process exit before it finished?)"), []
    if isinstance(document.get("error"), str):
        return no_profile(document["error"][:500]), []
    operators = _operators(document.get("topOperators"))
    if not operators:
        return no_profile("torch.profiler recorded no operators"), []
    summary = {"topOperators": operators}  # type: Dict[str, Any]
    if isinstance(document.get("device"), str):
        summary["device"] = document["device"][:NAME_CHARS]
    peak = _number(document.get("peakMemoryBytes"))
    if peak is not None and peak >= 0:
        summary["peakMemoryBytes"] = int(peak)
    artifacts = []
    if isinstance(document.get("table"), str):
        profile_dir = os.path.join(artifacts_dir, "profile")
        os.makedirs(profile_dir, exist_ok=True)
        with open(os.path.join(profile_dir, "torch-key-averages.txt"), "w") as table:
            table.write(document["table"][:MAX_BYTES])
        artifacts.append("profile/torch-key-averages.txt")
    return {"kind": "torch", "summary": summary}, artifacts
