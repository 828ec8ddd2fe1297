"""Neuron profiling: capture through the runtime's inspect mode, then summarise with `neuron-profile view`.

Capture needs no change to the code: `NEURON_RT_INSPECT_ENABLE=1` makes the Neuron runtime write
`<dir>/i-<instance>_pid_<pid>/` with `neff_<id>.neff` and `<id>_instid_0_vnc_<n>.ntff` (device profile, first
execution of each graph when `NEURON_RT_INSPECT_DEVICE_PROFILE=1`). Neuron 2.30+ renamed the tool to
`neuron-explorer` with the same `view` options; whichever exists is used (aws.md §0.3).
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
from typing import Any, Dict, List, Optional, Tuple

from .capped_stream import CappedStream
from .child_process import run_child
from .contract import no_profile
from .neuron_summary import SummaryParseError, extract_json, summarise

TOOL_NAMES = ("neuron-profile", "neuron-explorer")
TOOL_DIR = "/opt/aws/neuron/bin"
MAX_GRAPHS = 8
VIEW_TIMEOUT_SECONDS = 300
VIEW_OUTPUT_CAP = 32 * 1024 * 1024
INSPECT_ARCHIVE_MAX_BYTES = 256 * 1024 * 1024


def capture_env(inspect_dir: str) -> Dict[str, str]:
    return {
        "NEURON_RT_INSPECT_ENABLE": "1",
        "NEURON_RT_INSPECT_OUTPUT_DIR": inspect_dir,
        # Engine activity and MFU come from the device profile, which is off by default.
        "NEURON_RT_INSPECT_DEVICE_PROFILE": "1",
    }


def find_tool(search_path: str) -> Optional[str]:
    path = search_path + os.pathsep + TOOL_DIR
    for name in TOOL_NAMES:
        found = shutil.which(name, path=path)
        if found:
            return found
    return None


def graph_captures(inspect_dir: str) -> List[Tuple[str, str]]:
    """(neff, ntff) pairs, largest device profile first."""
    pairs = []
    for folder, _dirs, files in os.walk(inspect_dir):
        neffs = [name for name in files if name.endswith(".neff")]
        for name in files:
            if not name.endswith(".ntff"):
                continue
            graph_id = name.split("_instid")[0]
            neff = "neff_%s.neff" % graph_id
            if neff not in neffs:
                if len(neffs) != 1:
                    continue
                neff = neffs[0]
            pairs.append((os.path.join(folder, neff), os.path.join(folder, name)))
    pairs.sort(key=lambda pair: os.lstat(pair[1]).st_size, reverse=True)
    return pairs[:MAX_GRAPHS]


def _view(tool: str, args: List[str], env: Dict[str, str], workspace: Any, log_path: str) -> str:
    stdout = CappedStream(log_path, VIEW_OUTPUT_CAP, [])
    stderr = CappedStream(log_path + ".stderr", 1024 * 1024, [])
    argv = [tool, "view"] + args + ["--output-format", "summary-json"]
    outcome = run_child(argv, env, workspace.inside(workspace.work), workspace, VIEW_TIMEOUT_SECONDS, stdout, stderr)
    if outcome.start_error is not None:
        raise SummaryParseError("%s view could not start: %s" % (os.path.basename(tool), outcome.start_error))
    if outcome.exit_code != 0:
        with open(log_path + ".stderr", "rb") as errors:
            detail = errors.read()[-600:].decode("utf-8", "replace").strip()
        raise SummaryParseError(
            "%s view %s: %s" % (os.path.basename(tool), "timed out" if outcome.timed_out else "exit %s" % outcome.exit_code, detail)
        )
    with open(log_path, "rb") as output:
        return output.read().decode("utf-8", "replace")


def _archive(inspect_dir: str, target: str) -> bool:
    # lstat: a link the code planted is archived as a link (tarfile's default), and must not count its target.
    total = sum(os.lstat(os.path.join(folder, name)).st_size for folder, _d, files in os.walk(inspect_dir) for name in files)
    if total == 0 or total > INSPECT_ARCHIVE_MAX_BYTES:
        return False
    with tarfile.open(target, "w:gz") as archive:
        archive.add(inspect_dir, arcname="neuron-inspect")
    return True


def collect(
    inspect_dir: str, env: Dict[str, str], workspace: Any, artifacts_dir: str, scratch_dir: str
) -> Tuple[Dict[str, object], List[str]]:
    """Returns the contract's `profile` object and the artifact names written under `artifacts_dir`.

    The viewer runs in the run's sandbox (it parses files the code could have planted); its output goes to
    `scratch_dir`, which only the runner can write, never to the code's working directory. `inspect_dir` is a
    host path; the viewer gets the paths the sandbox sees.
    """
    profile_dir = os.path.join(artifacts_dir, "profile")
    os.makedirs(profile_dir, exist_ok=True)
    artifacts = []  # type: List[str]
    if _archive(inspect_dir, os.path.join(profile_dir, "neuron-inspect.tar.gz")):
        artifacts.append("profile/neuron-inspect.tar.gz")
    tool = find_tool(env.get("PATH", ""))
    if tool is None:
        return no_profile("neither neuron-profile nor neuron-explorer is on PATH or in %s" % TOOL_DIR), artifacts
    captures = graph_captures(inspect_dir)
    requests = [["-n", workspace.inside(neff), "-s", workspace.inside(ntff)] for neff, ntff in captures]
    if not requests:
        if not os.path.isdir(inspect_dir) or not os.listdir(inspect_dir):
            return no_profile("the Neuron runtime wrote no profile (did the code run on a NeuronCore?)"), artifacts
        requests = [["-d", workspace.inside(inspect_dir)]]
    documents = []
    errors = []
    view_env = {key: value for key, value in env.items() if not key.startswith("NEURON_RT_INSPECT")}
    for index, args in enumerate(requests):
        try:
            output = _view(tool, args, view_env, workspace, os.path.join(scratch_dir, "neuron-view-%d.log" % index))
            documents.append(extract_json(output))
        except (SummaryParseError, OSError) as error:
            errors.append(str(error))
    if not documents:
        return no_profile("profile summary failed: " + "; ".join(errors)[:1500]), artifacts
    with open(os.path.join(profile_dir, "neuron-summary.json"), "w") as summary_file:
        json.dump(documents if len(documents) > 1 else documents[0], summary_file, indent=2)
    artifacts.append("profile/neuron-summary.json")
    try:
        return {"kind": "neuron", "summary": summarise(documents)}, artifacts
    except SummaryParseError as error:
        return no_profile("profile summary unreadable: %s" % error), artifacts
