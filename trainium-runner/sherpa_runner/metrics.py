"""Collects `METRICS: {json}` lines from stdout into bounded series and their first/last/best summaries.

The generated code prints e.g. `METRICS: {"step": 10, "loss": 0.52, "accuracy": 0.81}`. Cardinality is bounded:
at most MAX_NAMES metric names (later names are dropped and listed) and at most MAX_POINTS retained points per
series (older points are thinned to every other one, keeping the first and the latest). Summaries always cover
every value seen, not only the retained points.
"""

from __future__ import annotations

import json
import math
import re
import time
from typing import Any, Dict, List, Optional, Tuple

MAX_NAMES = 32
MAX_POINTS = 500
STEP_KEYS = ("step", "epoch")

_LINE = re.compile(r"^\s*METRICS:\s*(.*?)\s*$")
# Checked on the name's words (split on anything not a letter or digit) so "val_acc" is max and "loss_scale" min.
_MIN_WORDS = frozenset({"loss", "error", "err", "perplexity", "ppl", "mse", "mae", "rmse", "nll", "wer", "cer", "latency", "time", "seconds", "ms"})
_MAX_WORDS = frozenset({"acc", "accuracy", "f1", "bleu", "rouge", "auc", "precision", "recall", "throughput", "reward", "score", "iou", "map", "mfu", "tps"})
_MAX_PHRASES = ("per_sec", "per_s", "per_second", "/s", "samples_s", "tokens_s", "it_s")


def goal_for(name: str) -> str:
    """`min` for losses, errors and perplexities; `max` for accuracies and throughputs; `min` otherwise."""
    lower = name.lower()
    words = set(re.split(r"[^a-z0-9]+", lower))
    if words & _MIN_WORDS or "loss" in lower:
        return "min"
    if words & _MAX_WORDS or any(phrase in lower for phrase in _MAX_PHRASES) or "accuracy" in lower:
        return "max"
    return "min"


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


class _Series:
    def __init__(self, goal: str):
        self.goal = goal
        self.points = []  # type: List[Dict[str, float]]
        self.latest = None  # type: Optional[Dict[str, float]]
        self.stride = 1
        self.seen = 0
        self.first = self.last = self.best = 0.0
        self.decimated = False

    def add(self, step: float, value: float) -> None:
        if self.seen == 0:
            self.first = self.best = value
        self.best = min(self.best, value) if self.goal == "min" else max(self.best, value)
        self.last = value
        point = {"step": step, "value": value}
        if self.seen % self.stride == 0:
            self.points.append(point)
            if len(self.points) >= MAX_POINTS:
                # Every other retained point goes: the survivors are exactly the samples of the doubled stride.
                self.points = self.points[::2]
                self.stride *= 2
                self.decimated = True
        self.seen += 1
        self.latest = point

    def retained(self) -> List[Dict[str, float]]:
        """At most MAX_POINTS points, always ending with the latest (the curve must end where the run ended)."""
        points = list(self.points)
        if self.latest is not None and (not points or points[-1] is not self.latest):
            points.append(self.latest)
        return points


class MetricsCollector:
    def __init__(self, max_names: int = MAX_NAMES):
        self.max_names = max_names
        self.series = {}  # type: Dict[str, _Series]
        self.dropped_names = set()  # type: set
        self.lines_seen = 0
        self.malformed_lines = 0
        # (monotonic time, step) of the first and latest line with an explicit "step": the runner's own steps/s.
        self.first_step = None  # type: Optional[Tuple[float, float]]
        self.last_step = None  # type: Optional[Tuple[float, float]]
        self.clock = time.monotonic

    def feed(self, line: str) -> None:
        match = _LINE.match(line)
        if not match:
            return
        try:
            payload = json.loads(match.group(1))
        except ValueError:
            self.malformed_lines += 1
            return
        if not isinstance(payload, dict):
            self.malformed_lines += 1
            return
        self.lines_seen += 1
        step = next((_number(payload[key]) for key in STEP_KEYS if _number(payload.get(key)) is not None), None)
        explicit = _number(payload.get("step"))
        if explicit is not None:
            self.last_step = (self.clock(), explicit)
            if self.first_step is None:
                self.first_step = self.last_step
        if step is None:
            step = float(self.lines_seen - 1)
        for name, raw in payload.items():
            value = _number(raw)
            if value is None or name in STEP_KEYS:
                continue
            series = self.series.get(name)
            if series is None:
                if len(self.series) >= self.max_names:
                    self.dropped_names.add(name)
                    continue
                series = self.series[name] = _Series(goal_for(name))
            series.add(step, value)

    def to_json(self) -> Dict[str, Any]:
        document = {
            "series": {name: series.retained() for name, series in self.series.items()},
            "summary": {
                name: {"first": s.first, "last": s.last, "best": s.best, "goal": s.goal, "points": s.seen}
                for name, s in self.series.items()
            },
        }  # type: Dict[str, Any]
        decimated = sorted(name for name, series in self.series.items() if series.decimated)
        if self.dropped_names or decimated:
            document["limits"] = {
                "maxNames": self.max_names,
                "maxPointsPerSeries": MAX_POINTS,
                "droppedNames": sorted(self.dropped_names),
                "decimatedSeries": decimated,
            }
        return document
