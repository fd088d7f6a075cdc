"""The device check's peer computations, on the check's device with torch.func (functorch on PyTorch 1.x): the
empirical NTK by Jacobian contraction (empirical_ntk.JacobianNtk) and one full-batch SGD step of the network or of its
linearization (training_step.step_and_timing), the CPU benchmark peer's code with a device. Inputs come from the
NumPy-free workspace (gpu_peer.py) as tensors. Every timed run ends with a device synchronization."""
import torch

from empirical_ntk import JacobianNtk
from network import Network, load_tensor
from timing import measure, synchronized
from training_step import step_and_timing


def jacobian_ntk(args, workspace, policy, device, output_name):
    x = load_tensor(workspace, args["x"], device)
    ntk = JacobianNtk(Network(args["network"], workspace, torch.float32, device), x, args["block_budget_bytes"], device)
    summary, output = measure(synchronized(ntk.kernel, device), policy)
    summary["output"] = workspace.save(output_name, output)
    summary["note"] = "%d block(s) of %d rows" % (len(ntk.starts), ntk.block)
    return summary


def training_step(args, workspace, policy, device, output_name):
    x, y = load_tensor(workspace, args["x"], device), load_tensor(workspace, args["y"], device)
    network = Network(args["network"], workspace, torch.float32, device)
    # No loss read per step: DeviceCheck/GpuTimings.cs's step, which this one is timed against, does not read it.
    summary, after_one_step = step_and_timing(network, x, y, args["model"], args["learning_rate"], policy,
                                              read_loss=False, device=device)
    summary["output"] = workspace.save(output_name, after_one_step)
    return summary


RUNNERS = {"jacobian_ntk": jacobian_ntk, "training_step": training_step}
