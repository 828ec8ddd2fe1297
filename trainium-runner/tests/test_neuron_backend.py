"""The neuron backend end to end, with fake `neuron-profile` / `neuron-explorer` executables on PATH."""

import json
import os
import tarfile

from tests import fakes
from tests.helpers import RunnerTestCase


class NeuronBackendTest(RunnerTestCase):
    def run_neuron(self, **overrides):
        job = self.job(self.write_code(fakes.NEURON_RUNTIME_CODE), backend="neuron", **overrides)
        return self.run_job(job)

    def test_wrapped_summary_from_the_real_capture_lands_in_the_result(self):
        fakes.neuron_profile(self.bin, wrapped=True)
        result = self.run_neuron()
        self.assertEqual(result["status"], "succeeded")
        self.assertEqual(result["profile"]["kind"], "neuron")
        summary = result["profile"]["summary"]
        self.assertAlmostEqual(summary["vectorEnginePercent"], 96.45396092701302)
        self.assertAlmostEqual(summary["dmaActivePercent"], 26.416618715491547)
        self.assertEqual(summary["hbmReadBytes"], 6582249472)
        self.assertEqual(summary["raw"]["profiled_graphs"], 2, "each NEFF/NTFF pair is viewed")
        self.assertEqual(summary["raw"]["graph_id"], "n_7702_instid_0_vnc_0")
        self.assertIn("profile/neuron-summary.json", result["artifacts"])
        self.assertIn("profile/neuron-inspect.tar.gz", result["artifacts"])
        with tarfile.open(os.path.join(self.results, "profile", "neuron-inspect.tar.gz")) as archive:
            names = archive.getnames()
        self.assertTrue(any(name.endswith("7702_instid_0_vnc_0.ntff") for name in names))
        saved = json.loads(self.artifact("profile/neuron-summary.json"))
        self.assertEqual(len(saved), 2)
        # Metrics from the same run, summarised with their goals.
        self.assertEqual(result["metrics"]["summary"]["loss"], {"first": 2.29, "last": 1.54, "best": 1.54, "goal": "min", "points": 5})
        self.assertEqual(result["metrics"]["summary"]["test_accuracy"]["goal"], "max")
        self.assertEqual(result["metrics"]["series"]["loss"][0], {"step": 1, "value": 2.29})

    def test_flat_summary_and_neuron_explorer_are_accepted(self):
        fakes.neuron_profile(self.bin, name="neuron-explorer", wrapped=False)
        summary = self.run_neuron()["profile"]["summary"]
        self.assertAlmostEqual(summary["scalarEnginePercent"], 3.673315592245759)
        self.assertNotIn("graph_id", summary["raw"])

    def test_the_compile_cache_is_the_runs_own(self):
        # Shared between runs of different uids it would let one run plant compiled graphs for the next.
        fakes.neuron_profile(self.bin)
        self.run_neuron()
        first = self.artifact("stdout.log").splitlines()[0]
        self.assertTrue(first.startswith("compile cache: ") and first.endswith("/.sherpa/neuron-compile-cache"), first)
        self.assertEqual(os.listdir(os.path.join(self.work_root, "runs")), [], "removed with the run")

    def test_a_missing_tool_is_a_reason_not_a_failure(self):
        result = self.run_neuron()
        self.assertEqual(result["status"], "succeeded")
        self.assertEqual(result["profile"]["kind"], "none")
        self.assertIn("neither neuron-profile nor neuron-explorer", result["profile"]["reason"])

    def test_a_failing_viewer_reports_its_error(self):
        fakes.failing_tool(self.bin, "neuron-profile", "influx: executable file not found")
        result = self.run_neuron()
        self.assertEqual(result["profile"]["kind"], "none")
        self.assertIn("influx: executable file not found", result["profile"]["reason"])

    def test_profiling_can_be_turned_off(self):
        fakes.neuron_profile(self.bin)
        result = self.run_neuron(profile=False)
        self.assertEqual(result["profile"], {"kind": "none", "reason": "profiling was turned off for this job"})
        self.assertNotIn("profile/neuron-inspect.tar.gz", result["artifacts"])
