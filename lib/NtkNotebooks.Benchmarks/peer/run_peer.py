"""Python peer of the NtkNotebooks benchmarks (lib/NtkNotebooks.Benchmarks). Usage: run_peer.py PLAN.json RESULTS.json

Reads the plan the C# benchmark wrote (threads, timing policy, tasks with their .npy inputs in the plan's folder),
times each task with the same policy and thread count, saves each task's output next to the inputs for the
correctness check, and writes RESULTS.json (rewritten after every task, so a crash keeps what was measured)."""
import os
import platform
import sys

import numpy as np
import torch

import analytic_ntk
import closed_form
import empirical_ntk
import plan
import training_step
from network import Workspace
from timing import measure

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
    rates = plan.matmul_rates(size, policy)
    a, b = np.random.rand(size, size), np.random.rand(size, size)
    summary, _ = measure(lambda: a @ b, policy)
    rates["numpy_float64"] = 2.0 * size ** 3 / summary["median"] / 1e9
    return rates


def main(plan_path, results_path):
    spec, policy, folder = plan.read(plan_path)
    workspace = Workspace(folder)
    results = {
        "versions": {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__},
        "matmul_gflops": matmul_rates(spec["matmul_size"], policy),
        "tasks": {},
    }
    results["versions"]["blas"] = blas_libraries()
    print("torch threads %d; matmul %s GFLOP/s" % (torch.get_num_threads(),
          ", ".join("%s %.1f" % item for item in results["matmul_gflops"].items())), flush=True)

    def run(task):
        return RUNNERS[task["kind"]](task["args"], workspace, policy, spec["time_limit_seconds"],
                                    task["id"] + ".out.npy", results["matmul_gflops"]["torch_float32"])

    plan.run_tasks(spec["tasks"], run, results, results_path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
