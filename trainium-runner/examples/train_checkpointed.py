"""train_mlp.py with the checkpoint contract (issue 12): a run that can be interrupted and resumed.

Saves model, optimizer and step to SHERPA_CHECKPOINT_DIR every CHECKPOINT_EVERY steps and when SIGTERM
arrives (a spot interruption notice: the runner sends it with the notice's remaining time), written to a .tmp
file and renamed; resumes from it when present, so its METRICS series continues at the saved step + 1. The GPU
benchmark (bench/gpu-spot-resume.ts) interrupts it through the runner and resumes it. Runs on CUDA, else the CPU.
"""

import json
import os
import signal
import sys
import time

import torch
from torch import nn

STEPS = 3000
BATCH = 2048
FEATURES, HIDDEN, CLASSES = 1024, 4096, 10
CHECKPOINT_EVERY = 250

stop = {"requested": False}
signal.signal(signal.SIGTERM, lambda *_: stop.update(requested=True))


def main():
    torch.manual_seed(0)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    teacher = torch.randn(FEATURES, CLASSES, device=device)
    model = nn.Sequential(
        nn.Linear(FEATURES, HIDDEN), nn.GELU(), nn.Linear(HIDDEN, HIDDEN), nn.GELU(), nn.Linear(HIDDEN, CLASSES)
    ).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)
    loss_fn = nn.CrossEntropyLoss()
    folder = os.environ.get("SHERPA_CHECKPOINT_DIR", "checkpoint")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "checkpoint.pt")
    first = 1
    if os.path.exists(path):
        state = torch.load(path, map_location=device)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        teacher = state["teacher"].to(device)
        first = state["step"] + 1
        print("RESUMED_FROM %d" % state["step"], flush=True)

    def save(step):
        partial = path + ".tmp"
        state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "teacher": teacher, "step": step}
        torch.save(state, partial)
        os.replace(partial, path)

    window_start, window_steps = time.perf_counter(), 0
    for step in range(first, STEPS + 1):
        inputs = torch.randn(BATCH, FEATURES, device=device)
        labels = (inputs @ teacher).argmax(dim=1)
        loss = loss_fn(model(inputs), labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        window_steps += 1
        if step % 10 == 0 or step == first or stop["requested"]:
            if device.type == "cuda":
                torch.cuda.synchronize()
            now = time.perf_counter()
            rate = window_steps * BATCH / max(now - window_start, 1e-9)
            print("METRICS: " + json.dumps({"step": step, "loss": round(loss.item(), 5), "samples_per_sec": round(rate, 1)}), flush=True)
            window_start, window_steps = now, 0
        if step % CHECKPOINT_EVERY == 0 or stop["requested"]:
            save(step)
        if stop["requested"]:
            print("SAVED_ON_SIGTERM %d" % step, flush=True)
            sys.exit(0)


if __name__ == "__main__":
    main()
