"""A real PyTorch training script that keeps the checkpoint contract (src/codegen/prompts): the runner's spot
tests run it. Every CHECKPOINT_EVERY steps and on SIGTERM it saves model, optimizer and step to
SHERPA_CHECKPOINT_DIR (written to a .tmp file, then renamed); when a checkpoint is there it resumes from it, so
its METRICS series continues at the checkpointed step + 1.
"""

import json
import os
import signal
import sys
import time

import torch
from torch import nn

STEPS = 150
CHECKPOINT_EVERY = 10
STEP_SLEEP_SECONDS = 0.03  # so a test can interrupt it mid-run

stop = {"requested": False}
signal.signal(signal.SIGTERM, lambda *_: stop.update(requested=True))

checkpoint_dir = os.environ["SHERPA_CHECKPOINT_DIR"]
path = os.path.join(checkpoint_dir, "checkpoint.pt")
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
start = 0
if os.path.exists(path):
    state = torch.load(path)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    start = state["step"]
    print("RESUMED_FROM %d" % start, flush=True)


def save(step):
    partial = path + ".tmp"
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step}, partial)
    os.replace(partial, path)


inputs = torch.randn(256, 16)
targets = inputs.sum(dim=1, keepdim=True)
for step in range(start + 1, STEPS + 1):
    loss = ((model(inputs) - targets) ** 2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print("METRICS: " + json.dumps({"step": step, "loss": round(loss.item(), 6)}), flush=True)
    if step % CHECKPOINT_EVERY == 0 or stop["requested"]:
        save(step)
    if stop["requested"]:
        print("SAVED_ON_SIGTERM %d" % step, flush=True)
        sys.exit(0)
    time.sleep(STEP_SLEEP_SECONDS)
