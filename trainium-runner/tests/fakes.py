"""Fake executables for the runner's external tools: neuron-profile / neuron-explorer, aws, iptables, useradd.

Each is strict: arguments it does not expect make it fail, so a wrong command line fails the test.
"""

from __future__ import annotations

import os
import shutil
import textwrap

from tests.helpers import fixture_path, write_executable

REAL_SUMMARY = fixture_path("neuron-summary-trn1-trnblas-mp2-energy.json")


def neuron_profile(folder: str, name: str = "neuron-profile", wrapped: bool = True) -> str:
    """Prints the real trn1 summary-json, wrapped as `{"n_<graph>": …}` or flat, after a log line."""
    # A copy beside the tool: the viewer runs as the run's uid, which may not reach the project's folder.
    summary = os.path.join(folder, "summary-%s.json" % name)
    shutil.copyfile(REAL_SUMMARY, summary)
    os.chmod(summary, 0o644)
    open_wrap = 'printf \'{"n_%s": \' "$(basename "$5" .ntff)"' if wrapped else ":"
    close_wrap = "printf '}\\n'" if wrapped else ":"
    body = textwrap.dedent(
        """\
        #!/bin/sh
        if [ "$1" != view ] || [ "$2" != -n ] || [ "$4" != -s ] || [ "$6" != --output-format ] || [ "$7" != summary-json ] || [ $# -ne 7 ]; then
          echo "fake {name}: unexpected arguments: $*" >&2; exit 2
        fi
        [ -f "$3" ] && [ -f "$5" ] || {{ echo "fake {name}: no such capture: $3 $5" >&2; exit 3; }}
        echo 'time="2026-04-15T10:00:00Z" level=info msg="Reading profile data"'
        {open_wrap}
        cat '{summary}'
        {close_wrap}
        """
    ).format(name=name, open_wrap=open_wrap, close_wrap=close_wrap, summary=summary)
    return write_executable(folder, name, body)


def failing_tool(folder: str, name: str, message: str) -> str:
    return write_executable(folder, name, "#!/bin/sh\necho 'level=error msg=\"%s\"' >&2\nexit 1\n" % message)


def recorder(folder: str, name: str, log: str, exit_code: int = 0) -> str:
    """Appends its arguments, one call a line, to `log`."""
    return write_executable(folder, name, '#!/bin/sh\necho "$*" >> \'%s\'\nexit %d\n' % (log, exit_code))


def aws_s3(folder: str, bucket_root: str) -> str:
    """`aws s3 cp --only-show-errors SRC DST` where s3://bucket/key is the file bucket_root/bucket/key."""
    body = textwrap.dedent(
        """\
        #!/bin/sh
        [ "$1" = s3 ] && [ "$2" = cp ] && [ "$3" = --only-show-errors ] && [ $# -eq 5 ] || {{ echo "fake aws: unexpected: $*" >&2; exit 252; }}
        map() {{ case "$1" in s3://*) echo '{root}/'"${{1#s3://}}" ;; *) echo "$1" ;; esac; }}
        src="$(map "$4")"; dst="$(map "$5")"
        [ -f "$src" ] || {{ echo "fatal error: An error occurred (404) when calling the HeadObject operation: Key not found" >&2; exit 1; }}
        mkdir -p "$(dirname "$dst")" && cp "$src" "$dst"
        """
    ).format(root=bucket_root)
    return write_executable(folder, "aws", body)


NEURON_RUNTIME_CODE = textwrap.dedent(
    """
    # Stands in for torch-neuronx: writes what the Neuron runtime's inspect mode writes, only when asked to.
    import os
    out = os.environ.get("NEURON_RT_INSPECT_OUTPUT_DIR")
    if os.environ.get("NEURON_RT_INSPECT_ENABLE") == "1" and out:
        capture = os.path.join(out, "i-0abc123_pid_%d" % os.getpid())
        os.makedirs(capture)
        open(os.path.join(capture, "ntrace.pb"), "wb").write(b"trace")
        open(os.path.join(capture, "cpu_util.pb"), "wb").close()
        if os.environ.get("NEURON_RT_INSPECT_DEVICE_PROFILE") == "1":
            for graph, size in (("5501", 64), ("7702", 4096)):
                open(os.path.join(capture, "neff_%s.neff" % graph), "wb").write(b"neff")
                open(os.path.join(capture, "%s_instid_0_vnc_0.ntff" % graph), "wb").write(b"n" * size)
    print("compile cache:", os.environ.get("NEURON_COMPILE_CACHE_URL"))
    for step, loss in enumerate([2.29, 2.05, 1.80, 1.64, 1.54]):
        print('METRICS: {"epoch": %d, "loss": %s}' % (step + 1, loss))
    print('METRICS: {"test_accuracy": 46.06}')
    """
)
