"""What both peers (run_peer.py, gpu_peer.py) do with the C# side's plan: read it (thread count, timing policy),
measure the matmul rates, run its tasks one by one and write RESULTS.json after every task (a crash keeps what was
measured). Needs PyTorch only."""
import json
import os
import traceback

import torch

from network import CPU
from timing import Policy, measure, synchronized


def read(plan_path):
    """The plan, its timing policy and the workspace folder (the plan's); sets PyTorch's thread count."""
    with open(plan_path) as f:
        plan = json.load(f)
    torch.set_num_threads(plan["threads"])
    return plan, Policy(plan["timing"]), os.path.dirname(os.path.abspath(plan_path))


def matmul_rates(size, policy, device=CPU):
    """GFLOP/s of size x size float32 and float64 products on `device`."""
    rates = {}
    for name, dtype in (("torch_float32", torch.float32), ("torch_float64", torch.float64)):
        a = torch.randn(size, size, dtype=dtype, device=device)
        b = torch.randn(size, size, dtype=dtype, device=device)
        summary, _ = measure(synchronized(lambda: a @ b, device), policy)
        rates[name] = 2.0 * size ** 3 / summary["median"] / 1e9
    return rates


def run_tasks(tasks, run, results, results_path, reason=str, after_task=None):
    """Runs `run(task)` for each task into results["tasks"], printing a line for each and saving the results before
    the first and after every task. A task that raises is reported as failed, with `reason(error)`, and the next one
    runs; `after_task` (if any) runs after each task."""
    def save():
        with open(results_path, "w") as f:
            json.dump(results, f, indent=1)

    save()
    for task in tasks:
        try:
            result = run(task)
        except Exception as error:  # report it and go on with the next task
            traceback.print_exc()
            result = {"status": "failed", "reason": "%s: %s" % (type(error).__name__, reason(error))}
        if after_task is not None:
            after_task()
        results["tasks"][task["id"]] = result
        if result["status"] == "ok":
            print("peer  %s: median %.4g s (min %.4g s, %d runs)" % (task["id"], result["median"], result["min"], result["repetitions"]), flush=True)
        else:
            print("peer  %s: %s (%s)" % (task["id"], result["status"], result.get("reason")), flush=True)
        save()
