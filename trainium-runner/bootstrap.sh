#!/usr/bin/env bash
# Sherpa runner bootstrap: the script the bot sends to a trn1 instance through SSM `AWS-RunShellScript`.
#
# It fetches the runner bundle the bot ships (keyed by its sha256), verifies the hash, caches it, and runs
#   python3 -m sherpa_runner --job "$SHERPA_JOB_URI"
# with the Neuron PyTorch venv activated when the instance has one. The runner writes result.json and
# progress.json under the job's resultsUri; this script's own output is only a short trace for the SSM console.
#
# Parameters (environment variables; the bot prepends `export NAME=value` lines, values shell-quoted):
#   SHERPA_JOB_URI        required  job.json location: s3://bucket/runs/<runId>/job.json (or file:///… locally)
#   SHERPA_RUNNER_URI     required  the runner bundle, a .zip or .tar.gz holding sherpa_runner/ at its root:
#                                   s3://bucket/runner/sherpa-runner-<sha256 or its first 16+ hex digits>.zip
#                                   (or file:///…)
#   SHERPA_RUNNER_SHA256  optional  lowercase hex sha256 of that file (all 64 digits, or a prefix of 16 or more);
#                                   when unset, the hex digits in the file name are the expected hash (prefix).
#                                   A mismatch stops here (exit 65).
#   SHERPA_CACHE_DIR      optional  where verified runners are unpacked, one folder per hash
#                                   (default /var/cache/sherpa-runner, or ~/.cache/sherpa-runner when not root)
#   SHERPA_NEURON_VENV    optional  venv to activate (default /opt/aws_neuronx_venv_pytorch_2_9 when it exists)
#   SHERPA_PYTHON         optional  interpreter for the runner and the code (default: python3 after activation)
#   SHERPA_NETWORK        optional  host: the code gets the instance's network, and the metadata service must be
#                                   blocked for the sandbox uids (or nothing runs, exit 67); none: loopback only;
#                                   unset: host when the block is in place, else none (see "Security model")
# Passed through to the runner when set: SHERPA_PROGRESS_INTERVAL_SECONDS, SHERPA_WORK_ROOT, SHERPA_AWS_CLI and
#   the limits SHERPA_MEMORY_LIMIT_MB, SHERPA_PIDS_MAX, SHERPA_TMP_SIZE_MB, SHERPA_SHM_SIZE_MB,
#   SHERPA_WORK_SIZE_MB (see trainium-runner/README.md).
#
# As root it installs (once; idempotent) the owner-match rules that reject the sandbox uids' traffic to the
# metadata service in both address families, verifies them and persists them where netfilter-persistent exists.
#
# Exit status: the runner's (0 = result.json written, read its status; 2 = job unreadable; 3 = result not
# written; 4 = this run id already started on this instance, nothing was run; 5 = its start could not be
# recorded), 64 = a parameter is missing, 65 = runner hash mismatch, 66 = runner download or unpack failed,
# 67 = SHERPA_NETWORK=host but the metadata service could not be blocked.
set -euo pipefail

fail() { echo "sherpa-bootstrap: $2" >&2; exit "$1"; }

[ -n "${SHERPA_JOB_URI:-}" ] || fail 64 "SHERPA_JOB_URI is not set"
[ -n "${SHERPA_RUNNER_URI:-}" ] || fail 64 "SHERPA_RUNNER_URI is not set"
expected="${SHERPA_RUNNER_SHA256:-}"
if [ -z "$expected" ] && [[ "${SHERPA_RUNNER_URI##*/}" =~ ^sherpa-runner-([0-9a-f]{16,64})\.(zip|tar\.gz)$ ]]; then
  expected="${BASH_REMATCH[1]}"
fi
[[ "$expected" =~ ^[0-9a-f]{16,64}$ ]] || fail 64 "no runner hash: set SHERPA_RUNNER_SHA256 or name the bundle sherpa-runner-<sha256>.zip"

if [ "$(id -u)" = 0 ]; then default_cache=/var/cache/sherpa-runner; else default_cache="${HOME:-/tmp}/.cache/sherpa-runner"; fi
cache_dir="${SHERPA_CACHE_DIR:-$default_cache}"
runner_dir="$cache_dir/$expected"

venv="${SHERPA_NEURON_VENV:-/opt/aws_neuronx_venv_pytorch_2_9}"
if [ -f "$venv/bin/activate" ]; then
  # shellcheck disable=SC1091 # the venv exists only on the instance
  set +u; . "$venv/bin/activate"; set -u
  echo "sherpa-bootstrap: using venv $venv"
fi
python="${SHERPA_PYTHON:-python3}"

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else "$python" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"; fi
}

if [ ! -f "$runner_dir/.verified" ]; then
  mkdir -p "$cache_dir"
  chmod 755 "$cache_dir"
  staging="$(mktemp -d "$cache_dir/.incoming.XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  case "$SHERPA_RUNNER_URI" in
    *.zip) archive="$staging/runner.zip" ;;
    *) archive="$staging/runner.tar.gz" ;;
  esac
  case "$SHERPA_RUNNER_URI" in
    s3://*) aws s3 cp --only-show-errors "$SHERPA_RUNNER_URI" "$archive" || fail 66 "cannot download $SHERPA_RUNNER_URI" ;;
    file://*) cp "${SHERPA_RUNNER_URI#file://}" "$archive" || fail 66 "cannot read $SHERPA_RUNNER_URI" ;;
    *) cp "$SHERPA_RUNNER_URI" "$archive" || fail 66 "cannot read $SHERPA_RUNNER_URI" ;;
  esac
  actual="$(sha256_of "$archive")"
  [[ "$actual" == "$expected"* ]] || fail 65 "runner hash mismatch: expected $expected, got $actual"
  mkdir "$staging/unpacked"
  case "$archive" in
    *.zip) "$python" -m zipfile -e "$archive" "$staging/unpacked" || fail 66 "cannot unpack the runner" ;;
    *) tar -xzf "$archive" -C "$staging/unpacked" --no-same-owner || fail 66 "cannot unpack the runner" ;;
  esac
  [ -f "$staging/unpacked/sherpa_runner/__main__.py" ] || fail 66 "the archive holds no sherpa_runner package"
  touch "$staging/unpacked/.verified"
  chmod -R go-w "$staging/unpacked"
  # Another bootstrap may have won the race; either copy is the same verified bytes.
  mv -T "$staging/unpacked" "$runner_dir" 2>/dev/null || [ -f "$runner_dir/.verified" ] || fail 66 "cannot place the runner in $runner_dir"
  rm -rf "$staging"
  trap - EXIT
  echo "sherpa-bootstrap: runner $actual verified and cached"
fi

cd "$runner_dir"
export PYTHONPATH="$runner_dir"
export PYTHONDONTWRITEBYTECODE=1

# The metadata service, blocked for good for the whole sandbox uid range; the runner checks again before the run.
network="${SHERPA_NETWORK:-}"
if [ "$(id -u)" = 0 ] && [ "$network" != none ]; then
  if "$python" -m sherpa_runner.metadata_block install; then
    network=host
  elif [ "$network" = host ]; then
    fail 67 "the metadata service could not be blocked for the sandbox uids: refusing to run code"
  else
    echo "sherpa-bootstrap: the metadata service could not be blocked: the run gets no network" >&2
    network=none
  fi
fi
if [ -n "$network" ]; then export SHERPA_NETWORK="$network"; fi
exec "$python" -m sherpa_runner --job "$SHERPA_JOB_URI"
