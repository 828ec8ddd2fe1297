"""Keeps the sandbox uids away from the instance metadata service (IMDS), for good and in both address families.

Without this the code could ask 169.254.169.254 (or fd00:ec2::254) for the instance profile's credentials.
`bootstrap.sh` installs one owner-match REJECT rule per family for the whole sandbox uid range, once, at the
top of OUTPUT (`python3 -m sherpa_runner.metadata_block install`); the rules stay after the run, so nothing
that outlived a run could reach the service either. Before each run the runner checks both with `-C`; a run
on the host network starts only when both are there (fail closed). The runner itself (root) keeps its access.

`python3 -m sherpa_runner.metadata_block install|verify [--uid-range 61000-61999]`: exit 0 when the rules are
in place, 1 (and why on stderr) when not.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from typing import List, Optional, Tuple

from .uid_pool import uid_range_text

IMDS_IPV4 = "169.254.169.254"
IMDS_IPV6 = "fd00:ec2::254"
FAMILIES = (("iptables", IMDS_IPV4), ("ip6tables", IMDS_IPV6))


def _tool(name: str) -> Optional[str]:
    return shutil.which(name) or next((path for path in ("/usr/sbin/" + name, "/sbin/" + name) if shutil.which(path)), None)


def rule(uid_range: str, address: str) -> List[str]:
    return ["-d", address, "-m", "owner", "--uid-owner", uid_range, "-j", "REJECT"]


def _call(argv: List[str]) -> Tuple[bool, str]:
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, str(error)
    return done.returncode == 0, done.stderr.decode("utf-8", "replace").strip()[-300:]


def verify(uid_range: str = uid_range_text()) -> Tuple[bool, str]:
    """(True, "") when both families reject the range's traffic to the metadata service; else (False, why)."""
    for name, address in FAMILIES:
        tool = _tool(name)
        if tool is None:
            return False, "%s is not installed, so the metadata service (%s) cannot be blocked" % (name, address)
        ok, detail = _call([tool, "-w", "-C", "OUTPUT"] + rule(uid_range, address))
        if not ok:
            return False, "no %s rule rejects uids %s to %s (%s)" % (name, uid_range, address, detail or "rule missing")
    return True, ""


def _persist() -> str:
    # The rules must survive a reboot; bootstrap.sh also re-installs them before every run, so this is a backstop.
    saver = _tool("netfilter-persistent")
    if saver is None:
        return "not persisted (no netfilter-persistent); bootstrap.sh re-installs them before each run"
    ok, detail = _call([saver, "save"])
    return "persisted with netfilter-persistent" if ok else "netfilter-persistent save failed: %s" % detail


def install(uid_range: str = uid_range_text()) -> Tuple[bool, str]:
    """Adds each missing rule at the top of OUTPUT, then verifies both. Idempotent."""
    added = False
    for name, address in FAMILIES:
        tool = _tool(name)
        if tool is None:
            return False, "%s is not installed" % name
        if _call([tool, "-w", "-C", "OUTPUT"] + rule(uid_range, address))[0]:
            continue
        ok, detail = _call([tool, "-w", "-I", "OUTPUT", "1"] + rule(uid_range, address))
        if not ok:
            return False, "%s could not add the rule for %s: %s" % (name, address, detail)
        added = True
    verified, why = verify(uid_range)
    if not verified:
        return False, why
    return True, _persist() if added else "already in place"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="sherpa_runner.metadata_block", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("install", "verify"))
    parser.add_argument("--uid-range", default=uid_range_text())
    args = parser.parse_args(argv)
    ok, detail = (install if args.action == "install" else verify)(args.uid_range)
    sys.stderr.write("sherpa metadata block: %s%s\n" % ("in place" if ok else "NOT in place", ": " + detail if detail else ""))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
