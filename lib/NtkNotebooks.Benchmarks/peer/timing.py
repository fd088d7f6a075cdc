"""Warm-up, repetitions, median and minimum: the same rule as the C# harness (Harness/TimingPolicy.cs)."""
import gc
import statistics
import time

import torch


class Policy:
    """Warm-up runs, then timed runs until min_repetitions and min_seconds are reached; a slow case stops once
    budget_seconds of timed work is spent and it has fallback_repetitions runs; never more than max_repetitions."""

    def __init__(self, spec):
        self.warmups = spec["warmups"]
        self.min_repetitions = spec["min_repetitions"]
        self.fallback_repetitions = spec["fallback_repetitions"]
        self.max_repetitions = spec["max_repetitions"]
        self.min_seconds = spec["min_seconds"]
        self.budget_seconds = spec["budget_seconds"]

    def wants_another_run(self, runs, seconds):
        if runs >= self.max_repetitions:
            return False
        if seconds >= self.budget_seconds:
            return runs < self.fallback_repetitions
        return runs < self.min_repetitions or seconds < self.min_seconds


def _timed(run):
    gc.collect()
    start = time.perf_counter()
    output = run()
    return time.perf_counter() - start, output


def measure(run, policy):
    """Runs `run` per the policy; returns the timing summary and the last timed run's output."""
    for _ in range(policy.warmups):
        _timed(run)
    seconds, output = [], None
    while policy.wants_another_run(len(seconds), sum(seconds)):
        output = None  # free the previous output before the next run
        elapsed, output = _timed(run)
        seconds.append(elapsed)
    summary = {
        "status": "ok",
        "median": statistics.median(seconds),
        "min": min(seconds),
        "repetitions": len(seconds),
        "warmups": policy.warmups,
    }
    return summary, output


def once(run):
    """One timed call (for probes): seconds and output."""
    return _timed(run)


def synchronized(run, device):
    """`run`, waiting for the device's queued work before it returns (CUDA calls return once the work is queued);
    `run` itself on the CPU, whose calls return when their work is done."""
    if device.type != "cuda":
        return run

    def timed():
        output = run()
        torch.cuda.synchronize(device)
        return output
    return timed
