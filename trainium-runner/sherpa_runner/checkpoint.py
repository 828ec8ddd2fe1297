"""The run's checkpoint folder (`SHERPA_CHECKPOINT_DIR`): synced to `<resultsUri>checkpoint/`, restored on resume.

Layout under the prefix: `objects/<sha256>` (each file's content, uploaded once) and `MANIFEST.json` (path →
sha256 and size), written last. A sync cut short (the instance gone mid-upload) leaves the previous manifest
and every object it names intact, so a resume always finds one complete checkpoint.

The folder belongs to the code, which is hostile: the snapshot walks it without following links (a planted
symlink to the instance's credentials is skipped, never copied), opens only regular files (a FIFO cannot block
the runner), and caps files and bytes. A restore accepts only plain relative paths and verifies every digest.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

from . import locations

MANIFEST = "MANIFEST.json"
MAX_FILES = 1000
MAX_MANIFEST_BYTES = 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_PART = re.compile(r"^[A-Za-z0-9_.+=@-]{1,200}$")
CHUNK = 1024 * 1024
# The contract (src/codegen/prompts) has the code write `<name>.tmp` and rename it: a half-written file is not kept.
IN_PROGRESS_SUFFIXES = (".tmp", ".partial")


class CheckpointError(RuntimeError):
    """A checkpoint could not be read, verified or restored; the message says which part and why."""


@dataclass
class Snapshot:
    folder: str  # a root-only copy of the regular files
    files: List[Dict[str, object]] = field(default_factory=list)  # {"path", "sha256", "bytes"}
    skipped: List[str] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return sum(int(entry["bytes"]) for entry in self.files)


def safe_relative(path: str) -> bool:
    parts = path.split("/")
    return 0 < len(parts) <= 16 and all(_PART.match(part) and part not in (".", "..") for part in parts)


def _copy_fd(fd: int, destination: str, limit: int) -> Dict[str, object]:
    digest, size = hashlib.sha256(), 0
    with os.fdopen(fd, "rb") as source, open(destination, "xb") as out:
        while True:
            chunk = source.read(CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise CheckpointError("the checkpoint folder holds more than %d bytes" % limit)
            digest.update(chunk)
            out.write(chunk)
    return {"sha256": digest.hexdigest(), "bytes": size}


def snapshot(source: str, scratch: str, max_bytes: int) -> Snapshot:
    """Copies the regular files under `source` into a fresh folder in `scratch` without following any link."""
    taken = Snapshot(tempfile.mkdtemp(prefix="checkpoint-", dir=scratch))
    budget = max_bytes
    for directory, _dirs, names, dir_fd in os.fwalk(source, follow_symlinks=False):
        relative_dir = os.path.relpath(directory, source)
        for name in sorted(names):
            relative = name if relative_dir == "." else relative_dir + "/" + name
            if not safe_relative(relative) or len(taken.files) >= MAX_FILES or name.endswith(IN_PROGRESS_SUFFIXES):
                taken.skipped.append(relative[:200])
                continue
            try:
                fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
            except OSError:
                taken.skipped.append(relative)  # a symlink (ELOOP), vanished meanwhile, or unreadable
                continue
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
                taken.skipped.append(relative)
                continue
            target = os.path.join(taken.folder, *relative.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            entry = _copy_fd(fd, target, budget)
            budget -= int(entry["bytes"])
            entry["path"] = relative
            taken.files.append(entry)
    taken.files.sort(key=lambda entry: str(entry["path"]))
    return taken


def upload(taken: Snapshot, prefix: str, run_id: str, synced_at: str, already: set) -> None:
    """Objects first (those not uploaded before by this runner), the manifest last."""
    for entry in taken.files:
        sha = str(entry["sha256"])
        if sha in already:
            continue
        locations.put(os.path.join(taken.folder, *str(entry["path"]).split("/")), locations.join(prefix, "objects/" + sha))
        already.add(sha)
    manifest = {"schemaVersion": 1, "runId": run_id, "syncedAt": synced_at, "files": taken.files}
    local = taken.folder + "." + MANIFEST  # beside the copy, never inside it (a file of the code's could clash)
    with open(local, "w") as out:
        json.dump(manifest, out)
    locations.put(local, locations.join(prefix, MANIFEST))


def read_manifest(prefix: str, scratch: str) -> List[Dict[str, object]]:
    local = os.path.join(scratch, "restore-" + MANIFEST)
    try:
        locations.fetch(locations.join(prefix, MANIFEST), local, MAX_MANIFEST_BYTES)
        with open(local) as handle:
            document = json.load(handle)
    except (locations.LocationError, OSError, ValueError) as error:
        raise CheckpointError("no readable %s under %s: %s" % (MANIFEST, prefix, error))
    files = document.get("files") if isinstance(document, dict) else None
    if not isinstance(files, list) or len(files) > MAX_FILES:
        raise CheckpointError("%s under %s has no valid file list" % (MANIFEST, prefix))
    for entry in files:
        ok = isinstance(entry, dict) and isinstance(entry.get("path"), str) and safe_relative(entry["path"])
        ok = ok and isinstance(entry.get("sha256"), str) and bool(_SHA256.match(entry["sha256"]))
        if not ok or isinstance(entry.get("bytes"), bool) or not isinstance(entry.get("bytes"), int):
            raise CheckpointError("%s under %s names an invalid entry: %r" % (MANIFEST, prefix, entry)[:300])
    return files


def _sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def restore(prefix: str, destination: str, scratch: str, give: Callable[[str, int], None], max_bytes: int) -> Dict[str, object]:
    """Fetches the manifest's files into `destination` (before the code starts); `give` hands each to the run."""
    files = read_manifest(prefix, scratch)
    if sum(int(entry["bytes"]) for entry in files) > max_bytes:
        raise CheckpointError("the checkpoint under %s is larger than the run's working folder" % prefix)
    staging = tempfile.mkdtemp(prefix="restore-", dir=scratch)
    for entry in files:
        sha, relative = str(entry["sha256"]), str(entry["path"])
        fetched = os.path.join(staging, sha)
        if not os.path.exists(fetched):
            try:
                locations.fetch(locations.join(prefix, "objects/" + sha), fetched, int(entry["bytes"]))
            except locations.LocationError as error:
                raise CheckpointError("checkpoint file %s: %s" % (relative, error))
            if _sha256_of(fetched) != sha:
                raise CheckpointError("checkpoint file %s does not match its sha256 in %s" % (relative, MANIFEST))
        parts = relative.split("/")
        folder = destination
        for part in parts[:-1]:
            folder = os.path.join(folder, part)
            if not os.path.isdir(folder):
                os.mkdir(folder)
                give(folder, 0o700)
        target = os.path.join(folder, parts[-1])
        shutil.copyfile(fetched, target)
        give(target, 0o600)
    shutil.rmtree(staging, ignore_errors=True)
    return {"files": len(files), "bytes": sum(int(entry["bytes"]) for entry in files)}
