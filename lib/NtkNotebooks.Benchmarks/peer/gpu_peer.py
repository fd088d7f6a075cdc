"""Peer of the NtkNotebooks device check (lib/NtkNotebooks.Benchmarks, --device): torch.func on the same device.

Usage: gpu_peer.py --probe DEVICE        prints the versions; exits 0 when PyTorch can run on DEVICE
       gpu_peer.py PLAN.json RESULTS.json

Reads the plan the C# check wrote (device, threads, timing policy, tasks whose .npy inputs lie in the plan's folder),
times each task with the same policy on the same device, saves each task's output next to its inputs for the agreement
check, and writes RESULTS.json after every task (a crash keeps what was measured). Needs PyTorch only: it runs with
the interpreter on PATH of a machine whose PyTorch may come without NumPy."""
import json
import os
import platform
import sys
import traceback

import torch

import gpu_tasks
import npy_torch
from timing import Policy, measure


class Workspace:
    """The folder the C# side shares, read and written as torch tensors."""

    def __init__(self, folder):
        self.folder = folder

    def load(self, name):
        return npy_torch.load(os.path.join(self.folder, name))

    def save(self, name, tensor):
        npy_torch.save(os.path.join(self.folder, name), tensor)
        return name


def versions(device):
    described = {"python": platform.python_version(), "torch": torch.__version__, "func": gpu_tasks.FUNC,
                 "cuda": str(torch.version.cuda), "device": str(device)}
    if device.type == "cuda":
        described["device_name"] = torch.cuda.get_device_name(device)
    return described


def probe(name):
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("PyTorch %s has no CUDA device (torch.cuda.is_available() is False)" % torch.__version__)
        return 3
    torch.ones(1, device=device).sum().item()
    v = versions(device)
    print("Python %s, PyTorch %s (%s), CUDA %s%s" % (v["python"], v["torch"], v["func"], v["cuda"],
          ", %s = %s" % (name, v["device_name"]) if "device_name" in v else ", " + name))
    return 0


def matmul_rates(size, policy, device):
    rates = {}
    for name, dtype in (("torch_float32", torch.float32), ("torch_float64", torch.float64)):
        a = torch.randn(size, size, dtype=dtype, device=device)
        b = torch.randn(size, size, dtype=dtype, device=device)
        summary, _ = measure(gpu_tasks.synchronized(lambda: a @ b, device), policy)
        rates[name] = 2.0 * size ** 3 / summary["median"] / 1e9
    return rates


def main(plan_path, results_path):
    with open(plan_path) as f:
        plan = json.load(f)
    torch.set_num_threads(plan["threads"])
    device = torch.device(plan["device"])
    policy = Policy(plan["timing"])
    workspace = Workspace(os.path.dirname(os.path.abspath(plan_path)))
    results = {"versions": versions(device), "matmul_gflops": matmul_rates(plan["matmul_size"], policy, device), "tasks": {}}
    print("peer on %s: %s; matmul %s GFLOP/s" % (device, ", ".join("%s %s" % kv for kv in results["versions"].items()),
          ", ".join("%s %.0f" % kv for kv in results["matmul_gflops"].items())), flush=True)

    def save():
        with open(results_path, "w") as f:
            json.dump(results, f, indent=1)

    save()
    for task in plan["tasks"]:
        try:
            result = gpu_tasks.RUNNERS[task["kind"]](task["args"], workspace, policy, device, task["id"] + ".out.npy")
        except Exception as error:  # report it and go on with the next task
            traceback.print_exc()
            result = {"status": "failed", "reason": "%s: %s" % (type(error).__name__, str(error).splitlines()[0] if str(error) else "")}
        if device.type == "cuda":
            torch.cuda.empty_cache()  # hand the task's blocks back before the next one
        results["tasks"][task["id"]] = result
        if result["status"] == "ok":
            print("peer  %s: median %.4g s (min %.4g s, %d runs)" % (task["id"], result["median"], result["min"], result["repetitions"]), flush=True)
        else:
            print("peer  %s: %s (%s)" % (task["id"], result["status"], result.get("reason")), flush=True)
        save()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--probe":
        sys.exit(probe(sys.argv[2]))
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
