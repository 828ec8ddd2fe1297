"""The smoke gate (issue 13): real scripts through the whole runner, and the gate's own rules."""

import json
import os
import tempfile
import textwrap
import unittest

from sherpa_runner.child_process import StopRequest
from sherpa_runner.contract import JobSpecError, SmokeGateSpec, parse_job
from sherpa_runner.smoke_gate import SmokeGate, carries, compiler_running
from tests.helpers import RunnerTestCase, process_alive, processes_of_uid, write_executable

# Prints the objective on its first step, then trains past the window and ends by itself.
GOOD = textwrap.dedent(
    """
    import time
    for step in range(4):
        print('METRICS: {"step": %d, "loss": 1.0, "val_loss": %s}' % (step, "null" if step < 3 else "0.5"), flush=True)
        time.sleep(1.2)
    """
)

# Steps, but never reports the objective (a wrong key), with a grandchild that a plain kill would leave behind.
NO_OBJECTIVE = textwrap.dedent(
    """
    import subprocess, sys, time
    grandchild = subprocess.Popen([sys.executable, "-c", "import time\\nwhile True: time.sleep(0.1)"])
    print('METRICS: {"step": 0, "loss": 1.0, "valid_loss": 2.0, "grandchild": %d}' % grandchild.pid, flush=True)
    while True:
        time.sleep(0.1)
    """
)

# Ends with success within the window after SIGTERM, as the checkpoint contract asks: still a gate failure.
EXITS_ZERO_ON_SIGTERM = textwrap.dedent(
    """
    import signal, sys, time
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("compiling...", flush=True)
    while True:
        time.sleep(0.1)
    """
)

# Compiles for 3 s in a child `neuronx-cc` (as torch-neuronx does), then prints the objective at once.
COMPILES_THEN_REPORTS = textwrap.dedent(
    """
    import subprocess
    subprocess.run(["neuronx-cc", "compile", "--target", "trn1"], check=True)
    print('METRICS: {"step": 0, "loss": 1.0, "val_loss": null}', flush=True)
    """
)

CRASHES = "import sys\nprint('METRICS: {\"step\": 0, \"loss\": 1.0}', flush=True)\nraise RuntimeError('shape mismatch')\n"


def gated(seconds: int = 2, metric: str = "val_loss"):
    return {"smokeGate": {"seconds": seconds, "metric": metric}}


class SmokeGateRunTest(RunnerTestCase):
    def test_a_variant_that_prints_the_objective_passes_and_runs_to_its_end(self):
        # A 3 s window (a loaded 2-core host can take a second to start a contained interpreter).
        result = self.run_job(self.job(self.write_code(GOOD), **gated(3)))
        self.assertEqual(result["status"], "succeeded", result["failure"])
        self.assertIsNone(result["failure"])
        self.assertGreater(result["durationSeconds"], 4.5, "it ran past the window: the gate did not stop it")
        gate = result["execution"]["smokeGate"]
        self.assertEqual((gate["seconds"], gate["metric"], gate["passed"]), (3, "val_loss", True))
        self.assertLess(gate["passedAfterSeconds"], 3.0)
        self.assertEqual(result["metrics"]["summary"]["val_loss"]["last"], 0.5)

    def test_a_variant_that_never_prints_the_objective_is_stopped_at_the_window_with_its_tree(self):
        result = self.run_job(self.job(self.write_code(NO_OBJECTIVE), timeoutSeconds=60, **gated(1)))
        self.assertEqual(result["status"], "failed")
        self.assertEqual(result["failure"]["class"], "no_objective")
        self.assertIn("'val_loss'", result["failure"]["message"])
        self.assertIn("1 s smoke window", result["failure"]["message"])
        self.assertNotIn("interruption", result, "a gate stop is not a spot interruption")
        self.assertEqual(result["execution"]["smokeGate"], {"seconds": 1, "metric": "val_loss", "passed": False})
        self.assertLess(result["durationSeconds"], 15.0, "stopped at the window, not at the 60 s limit")
        self.assertGreaterEqual(result["durationSeconds"], 1.0)
        if "uid" in result["sandbox"]:
            self.assertEqual(processes_of_uid(result["sandbox"]["uid"]), [], "the whole namespace died")
        else:
            self.assertFalse(process_alive(int(result["metrics"]["summary"]["grandchild"]["last"])))

    def test_a_clean_exit_after_the_gates_sigterm_is_still_a_gate_failure(self):
        result = self.run_job(self.job(self.write_code(EXITS_ZERO_ON_SIGTERM), **gated(1)))
        self.assertEqual(result["status"], "failed")
        self.assertEqual(result["failure"]["class"], "no_objective")

    def test_a_crash_inside_the_window_ends_the_run_by_itself_with_its_own_class(self):
        result = self.run_job(self.job(self.write_code(CRASHES), **gated(30)))
        self.assertEqual(result["status"], "failed")
        self.assertEqual(result["failure"]["class"], "python_exception")
        self.assertLess(result["durationSeconds"], 15.0, "it did not wait for the window")
        self.assertEqual(result["execution"]["smokeGate"]["passed"], False)

    def test_the_compilers_time_is_outside_the_window(self):
        write_executable(self.bin, "neuronx-cc", "#!/bin/sh\nsleep 6\n")
        result = self.run_job(self.job(self.write_code(COMPILES_THEN_REPORTS), **gated(3)))
        self.assertEqual(result["status"], "succeeded", result["failure"])
        gate = result["execution"]["smokeGate"]
        self.assertTrue(gate["passed"])
        self.assertGreaterEqual(gate["passedAfterSeconds"], 6.0, "it reported after the compile, past the window")
        self.assertGreaterEqual(gate["compilerSeconds"], 4.0, "the clock stood still while neuronx-cc ran")

    def test_without_a_gate_a_run_without_the_objective_runs_to_its_end(self):
        code = "import time\nprint('METRICS: {\"step\": 0, \"loss\": 1.0}', flush=True)\ntime.sleep(1.5)\n"
        result = self.run_job(self.job(self.write_code(code)))
        self.assertEqual(result["status"], "succeeded")
        self.assertNotIn("smokeGate", result["execution"])


class SmokeGateRulesTest(unittest.TestCase):
    def test_the_objective_key_counts_with_a_number_or_null_only(self):
        self.assertTrue(carries('METRICS: {"step": 1, "val_loss": 0.5}', "val_loss"))
        self.assertTrue(carries('METRICS: {"step": 1, "val_loss": null}', "val_loss"))
        self.assertFalse(carries('METRICS: {"step": 1, "val_loss": "0.5"}', "val_loss"))
        self.assertFalse(carries('METRICS: {"step": 1, "val_loss": true}', "val_loss"))
        self.assertFalse(carries('METRICS: {"step": 1, "val_loss": NaN}', "val_loss"))
        self.assertFalse(carries('METRICS: {"step": 1, "loss": 0.5}', "val_loss"))
        self.assertFalse(carries('print {"val_loss": 0.5}', "val_loss"))
        self.assertFalse(carries("METRICS: [1, 2]", "val_loss"))

    def test_the_clock_stands_still_while_the_compiler_runs(self):
        stop = StopRequest()
        now = [0.0]
        compiling = [True]

        def look() -> bool:
            now[0] += 1.0  # each look at a compiling run spends one second of it
            if now[0] >= 100.0:
                compiling[0] = False
            return compiling[0]

        gate = SmokeGate(SmokeGateSpec(10, "acc"), stop, clock=lambda: now[0], compiling=look, compiler_poll_seconds=0.0)
        gate.start()
        gate._thread.join(5.0)
        self.assertFalse(gate._thread.is_alive())
        # 100 s of compile, then the 10 s window of the code's own time ran out.
        self.assertTrue(gate.stopped_the_run())
        self.assertGreaterEqual(now[0], 100.0 + 10.0 - 1.0)
        self.assertGreaterEqual(gate.report()["compilerSeconds"], 99.0)

    def test_the_compiler_is_found_by_name_and_uid_in_proc(self):
        proc = tempfile.mkdtemp()
        self.addCleanup(__import__("shutil").rmtree, proc, True)

        def process(pid: int, argv, uid: int) -> None:
            os.makedirs(os.path.join(proc, str(pid)))
            with open(os.path.join(proc, str(pid), "cmdline"), "wb") as handle:
                handle.write(b"\0".join(arg.encode() for arg in argv) + b"\0")
            with open(os.path.join(proc, str(pid), "status"), "w") as handle:
                handle.write("Name:\tx\nUid:\t%d\t%d\t%d\t%d\n" % (uid, uid, uid, uid))

        process(10, ["/usr/bin/python3", "train.py"], 61001)
        process(11, ["/usr/bin/python3", "/opt/aws_neuronx_venv/bin/neuronx-cc", "compile"], 61002)
        os.makedirs(os.path.join(proc, "self"))
        self.assertFalse(compiler_running(61001, proc))
        self.assertTrue(compiler_running(61002, proc), "a shebang script: its name is argv[1]")
        process(12, ["neuron-cc", "compile"], 61001)
        self.assertTrue(compiler_running(61001, proc))
        self.assertFalse(compiler_running(61003, proc), "another run's compiler does not stop this run's clock")

    def test_a_spot_notice_that_came_first_keeps_its_reason(self):
        stop = StopRequest()
        self.assertTrue(stop.request(30.0, "spot"))
        now = [0.0]
        gate = SmokeGate(SmokeGateSpec(1, "val_loss"), stop, clock=lambda: now[0])
        gate.start()
        now[0] = 5.0
        gate._thread.join(2.0)
        self.assertFalse(gate.stopped_the_run(), "the run was stopped by the spot notice, not by the gate")
        self.assertEqual((stop.reason, stop.grace_seconds), ("spot", 30.0))

    def test_a_line_in_time_keeps_the_gate_from_stopping(self):
        stop = StopRequest()
        now = [0.0]
        gate = SmokeGate(SmokeGateSpec(10, "acc"), stop, clock=lambda: now[0])
        gate.start()
        now[0] = 9.5
        gate.feed('METRICS: {"step": 3, "acc": 0.1}')
        now[0] = 20.0
        gate._thread.join(2.0)
        self.assertFalse(stop.requested)
        self.assertEqual(gate.report(), {"seconds": 10, "metric": "acc", "passed": True, "passedAfterSeconds": 9.5})

    def test_the_window_ends_in_a_stop_request_when_nothing_came(self):
        stop = StopRequest()
        now = [0.0]
        gate = SmokeGate(SmokeGateSpec(3, "acc"), stop, clock=lambda: now[0], grace_seconds=7.0)
        gate.start()
        gate.feed('METRICS: {"step": 3, "loss": 0.1}')
        now[0] = 3.0
        gate._thread.join(2.0)
        self.assertTrue(gate.stopped_the_run())
        self.assertEqual((stop.reason, stop.grace_seconds), ("smoke_gate", 7.0))


class SmokeGateJobTest(unittest.TestCase):
    BASE = {"schemaVersion": 1, "runId": "r", "paperId": "p", "codeHash": "h", "codeUri": "file:///c.py",
            "resultsUri": "file:///r/", "backend": "neuron", "timeoutSeconds": 600}

    def parse(self, **extra):
        return parse_job(json.dumps(dict(self.BASE, **extra)))

    def test_the_gate_is_optional_and_parsed_when_given(self):
        self.assertIsNone(self.parse().smoke_gate)
        self.assertEqual(self.parse(smokeGate={"seconds": 330, "metric": "val.loss_2"}).smoke_gate,
                         SmokeGateSpec(330, "val.loss_2"))

    def test_a_malformed_gate_is_refused_with_the_field_named(self):
        for bad in ("x", {"metric": "val_loss"}, {"seconds": 0, "metric": "val_loss"}, {"seconds": 1.5, "metric": "a"},
                    {"seconds": True, "metric": "a"}, {"seconds": 30}, {"seconds": 30, "metric": "9lives"},
                    {"seconds": 30, "metric": "a b"}, {"seconds": 30, "metric": "x" * 65}):
            with self.assertRaises(JobSpecError, msg=repr(bad)) as caught:
                self.parse(smokeGate=bad)
            self.assertIn("job.smokeGate", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
