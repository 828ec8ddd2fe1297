"""`python3 -m sherpa_runner --job <s3://… | file://…>`; exit 0 once result.json is written (read its status)."""

from __future__ import annotations

import argparse
import os
import sys

from .runner import RunnerOptions, run


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="sherpa_runner", description=__doc__)
    parser.add_argument("--job", required=True, help="job.json location: s3://bucket/key, file:///path or a path")
    parser.add_argument(
        "--progress-interval",
        type=float,
        default=float(os.environ.get("SHERPA_PROGRESS_INTERVAL_SECONDS", "30")),
        help="seconds between progress.json updates (default 30)",
    )
    parser.add_argument("--work-root", default=os.environ.get("SHERPA_WORK_ROOT"), help="where run folders are made")
    parser.add_argument(
        "--network",
        choices=("auto", "host", "none"),
        default=os.environ.get("SHERPA_NETWORK", "auto"),
        help="host: needs the metadata block verified; none: loopback only; auto: host when verified, else none",
    )
    parser.add_argument(
        "--unconfined",
        action="store_true",
        default=os.environ.get("SHERPA_CONTAINMENT") == "none",
        help="an ordinary user's local trial only: no containment (refused as root; result.json says so)",
    )
    # Obsolete since every run gets its own uid (README); still accepted so older callers keep working.
    parser.add_argument("--sandbox-user", help=argparse.SUPPRESS)
    parser.add_argument("--no-create-user", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--python", default=os.environ.get("SHERPA_PYTHON", sys.executable), help="interpreter for the code")
    parser.add_argument("--keep-workdir", action="store_true", help="leave the run folder for debugging")
    parser.add_argument(
        "--spot-poll",
        type=float,
        default=float(os.environ.get("SHERPA_SPOT_POLL_SECONDS", "5")),
        help="seconds between looks at the spot interruption notice (default 5)",
    )
    parser.add_argument(
        "--interrupt-reserve",
        type=float,
        default=float(os.environ.get("SHERPA_INTERRUPT_RESERVE_SECONDS", "30")),
        help="seconds of a spot notice kept back from the code's grace for the final sync (default 30)",
    )
    args = parser.parse_args(argv)
    options = RunnerOptions(
        progress_interval_seconds=max(args.progress_interval, 0.05),
        work_root=args.work_root,
        network=args.network,
        unconfined=args.unconfined,
        python=args.python,
        keep_workdir=args.keep_workdir,
        spot_poll_seconds=max(args.spot_poll, 0.05),
        sync_reserve_seconds=max(args.interrupt_reserve, 0.0),
    )
    return run(args.job, options)


if __name__ == "__main__":
    sys.exit(main())
