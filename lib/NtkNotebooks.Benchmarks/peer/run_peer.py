"""Python peer of the NtkNotebooks benchmarks (lib/NtkNotebooks.Benchmarks). Usage: run_peer.py PLAN.json RESULTS.json

Reads the plan the C# benchmark wrote (threads, timing policy, tasks with their .npy inputs in the plan's folder),
times each task with the same policy and thread count, saves each task's output next to the inputs for the
correctness check, and writes RESULTS.json (rewritten after every task, so a crash keeps what was measured)."""
import json
import os
import platform
import sys
import traceback

import numpy as np
import torch

import analytic_ntk
import closed_form
import empirical_ntk
import training_step
from network import Workspace
from timing import Policy, measure

RUNNERS = {
    "empirical_ntk": empirical_ntk.run,
    "analytic_ntk": analytic_ntk.run,
    "closed_form": closed_form.run,
    "training_step": training_step.run,
}


def blas_libraries():
    """The BLAS/LAPACK shared objects this process loaded (NumPy's and PyTorch's)."""
    found = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if "blas" in path or "lapack" in path:
                found.add(os.path.relpath(path, "/usr/lib/x86_64-linux-gnu") if path.startswith("/usr/lib/x86_64-linux-gnu") else path)
    return ", ".join(sorted(found)) or "unknown BLAS"


def matmul_rates(size, policy):
    rates = {}
    for name, dtype in (("torch_float32", torch.float32), ("torch_float64", torch.float64)):
        a, b = torch.randn(size, size, dtype=dtype), torch.randn(size, size, dtype=dtype)
        summary, _ = measure(lambda: a @ b, policy)
        rates[name] = 2.0 * size ** 3 / summary["median"] / 1e9
    a, b = np.random.rand(size, size), np.random.rand(size, size)
    summary, _ = measure(lambda: a @ b, policy)
    rates["numpy_float64"] = 2.0 * size ** 3 / summary["median"] / 1e9
    return rates


def main(plan_path, results_path):
    with open(plan_path) as f:
        plan = json.load(f)
    torch.set_num_threads(plan["threads"])
    policy = Policy(plan["timing"])
    workspace = Workspace(os.path.dirname(os.path.abspath(plan_path)))
    results = {
        "versions": {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__},
        "matmul_gflops": matmul_rates(plan["matmul_size"], policy),
        "tasks": {},
    }
    results["versions"]["blas"] = blas_libraries()
    print("torch threads %d; matmul %s GFLOP/s" % (torch.get_num_threads(),
          ", ".join("%s %.1f" % item for item in results["matmul_gflops"].items())), flush=True)

    def save():
        with open(results_path, "w") as f:
            json.dump(results, f, indent=1)

    save()
    for task in plan["tasks"]:
        try:
            result = RUNNERS[task["kind"]](task["args"], workspace, policy, plan["time_limit_seconds"],
                                           task["id"] + ".out.npy", results["matmul_gflops"]["torch_float32"])
        except Exception as error:  # report and go on with the next task
            traceback.print_exc()
            result = {"status": "failed", "reason": "%s: %s" % (type(error).__name__, error)}
        results["tasks"][task["id"]] = result
        if result["status"] == "ok":
            print("peer  %s: median %.4g s (min %.4g s, %d runs)" % (task["id"], result["median"], result["min"], result["repetitions"]), flush=True)
        else:
            print("peer  %s: %s (%s)" % (task["id"], result["status"], result.get("reason")), flush=True)
        save()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
