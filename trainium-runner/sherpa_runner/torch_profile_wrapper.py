"""Runs the job's script under torch.profiler, leaving the script itself unchanged. Executed in the sandbox:

    python torch_profile_wrapper.py <script.py> [args…]

The profiler records a window of optimizer steps (skip SHERPA_TORCH_PROFILE_SKIP_STEPS, warm up one, record
SHERPA_TORCH_PROFILE_ACTIVE_STEPS), driven by a global optimizer step hook, so a long training run is not slowed
down or filled with events for its whole length. The top operators go to SHERPA_TORCH_PROFILE_OUT as JSON.
This file must stay self-contained (standard library + torch): it is copied into the run's working directory.
"""

import json
import os
import runpy
import sys

TOP_OPERATORS = 15


def _write(path, document):
    with open(path, "w") as out:
        json.dump(document, out)


def _field(event, *names):
    for name in names:
        value = getattr(event, name, None)
        if value is not None:
            return float(value)
    return 0.0


def _is_operator(event, torch):
    """Host-side operators only: kernel rows repeat the time of the operator that launched them, and the
    profiler's own step markers are not operators."""
    if event.key.startswith("ProfilerStep"):
        return False
    device_type = getattr(event, "device_type", None)
    cpu = getattr(getattr(getattr(torch, "autograd", None), "DeviceType", None), "CPU", None)
    return device_type is None or cpu is None or device_type == cpu


def _summarise(prof, torch):
    events = prof.key_averages()
    rows = []
    for event in events:
        if not _is_operator(event, torch):
            continue
        self_device = _field(event, "self_device_time_total", "self_cuda_time_total")
        total_device = _field(event, "device_time_total", "cuda_time_total")
        rows.append(
            {
                "name": event.key,
                "selfDeviceUs": self_device,
                "totalDeviceUs": total_device,
                "selfCpuUs": _field(event, "self_cpu_time_total"),
                "totalCpuUs": _field(event, "cpu_time_total"),
                "calls": int(event.count),
            }
        )
    on_device = any(row["selfDeviceUs"] > 0 for row in rows)
    self_key, total_key = ("selfDeviceUs", "totalDeviceUs") if on_device else ("selfCpuUs", "totalCpuUs")
    rows.sort(key=lambda row: row[self_key], reverse=True)
    top = [
        {
            "name": row["name"],
            "selfTimeMs": row[self_key] / 1000.0,
            "totalTimeMs": row[total_key] / 1000.0,
            "calls": row["calls"],
        }
        for row in rows[:TOP_OPERATORS]
    ]
    document = {"topOperators": top, "timeBase": "device" if on_device else "cpu"}
    if torch.cuda.is_available():
        document["device"] = torch.cuda.get_device_name(0)
    sort_by = "self_cuda_time_total" if on_device else "self_cpu_time_total"
    try:
        document["table"] = events.table(sort_by=sort_by, row_limit=40)
    except Exception:  # the table is a convenience artifact; older/newer torch may name the sort keys differently
        pass
    return document


def main():
    script = sys.argv[1]
    out_path = os.environ["SHERPA_TORCH_PROFILE_OUT"]
    sys.argv = sys.argv[1:]
    # As if started as `python script.py`: its own folder first on the import path.
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    try:
        import torch
        from torch.profiler import ProfilerActivity, profile, schedule
    except Exception as error:  # no torch in this interpreter: run the script bare and say why there is no profile
        _write(out_path, {"error": "torch.profiler is not importable: %s" % error})
        runpy.run_path(script, run_name="__main__")
        return
    skip = int(os.environ.get("SHERPA_TORCH_PROFILE_SKIP_STEPS", "2"))
    active = int(os.environ.get("SHERPA_TORCH_PROFILE_ACTIVE_STEPS", "10"))
    activities = [ProfilerActivity.CPU]
    if torch.cuda.is_available():
        activities.append(ProfilerActivity.CUDA)
    state = {"steps": 0, "summary": None}

    def on_trace_ready(prof):
        state["summary"] = _summarise(prof, torch)

    try:  # torch >= 2.0; older versions profile the whole run
        from torch.optim.optimizer import register_optimizer_step_post_hook as register
    except ImportError:
        register = None
    windowed = register is not None
    prof = profile(
        activities=activities,
        schedule=schedule(wait=skip, warmup=1, active=active, repeat=1) if windowed else None,
        on_trace_ready=on_trace_ready if windowed else None,
    )
    if windowed:

        def after_step(_optimizer, _args, _kwargs):
            state["steps"] += 1
            prof.step()

        register(after_step)
    try:
        with prof:
            runpy.run_path(script, run_name="__main__")
    finally:
        summary = state["summary"]
        if summary is None and (not windowed or state["steps"] > skip):
            try:
                summary = _summarise(prof, torch)
            except Exception as error:
                summary = {"error": "torch.profiler gave no events: %s" % error}
        if summary is None:
            summary = {
                "error": "the script made %d optimizer steps; the profiled window starts after step %d"
                % (state["steps"], skip + 1)
            }
        summary["optimizerSteps"] = state["steps"]
        try:  # the peak over every visible GPU, for the run's execution info (issue 12, item 6)
            if torch.cuda.is_available():
                summary["peakMemoryBytes"] = sum(torch.cuda.max_memory_allocated(i) for i in range(torch.cuda.device_count()))
        except Exception:
            pass
        _write(out_path, summary)


if __name__ == "__main__":
    main()
