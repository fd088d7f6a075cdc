"""Peer of the NtkNotebooks device check (lib/NtkNotebooks.Benchmarks, --device): torch.func on the same device.

Usage: gpu_peer.py --probe DEVICE        prints the versions; exits 0 when PyTorch can run on DEVICE
       gpu_peer.py PLAN.json RESULTS.json

Reads the plan the C# check wrote (device, threads, timing policy, tasks whose .npy inputs lie in the plan's folder),
times each task with the same policy on the same device, saves each task's output next to its inputs for the agreement
check, and writes RESULTS.json after every task (a crash keeps what was measured). Needs PyTorch only: it runs with
the interpreter on PATH of a machine whose PyTorch may come without NumPy."""
import os
import platform
import sys

import torch

import gpu_tasks
import npy_torch
import plan
from transforms import FUNC


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
    described = {"python": platform.python_version(), "torch": torch.__version__, "func": FUNC,
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


def first_line(error):
    """The first line of an error's message: CUDA errors (out of memory, device asserts) run to many lines."""
    return str(error).splitlines()[0] if str(error) else ""


def main(plan_path, results_path):
    spec, policy, folder = plan.read(plan_path)
    device = torch.device(spec["device"])
    workspace = Workspace(folder)
    results = {"versions": versions(device), "matmul_gflops": plan.matmul_rates(spec["matmul_size"], policy, device), "tasks": {}}
    print("peer on %s: %s; matmul %s GFLOP/s" % (device, ", ".join("%s %s" % kv for kv in results["versions"].items()),
          ", ".join("%s %.0f" % kv for kv in results["matmul_gflops"].items())), flush=True)

    def run(task):
        return gpu_tasks.RUNNERS[task["kind"]](task["args"], workspace, policy, device, task["id"] + ".out.npy")

    # On CUDA, hand each task's blocks back before the next one.
    after_task = torch.cuda.empty_cache if device.type == "cuda" else None
    plan.run_tasks(spec["tasks"], run, results, results_path, reason=first_line, after_task=after_task)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--probe":
        sys.exit(probe(sys.argv[2]))
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
