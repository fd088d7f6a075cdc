"""One full-batch SGD step (forward, mean MSE loss, backward, torch.optim.SGD step) of the network, or of its
linearization f_lin(x) = f_0(x) + J_0(x) (theta - theta_0) computed with jvp (torch.func, or functorch on PyTorch 1.x),
float32. step_and_timing is shared with the device check's peer (gpu_tasks.py); run is the CPU benchmark's task."""
import torch

from network import CPU, Network, load_tensor
from timing import measure, synchronized
from transforms import jvp


def make(network, kind, learning_rate):
    params = [p.clone().requires_grad_(True) for p in network.params]
    if kind == "network":
        def model(x):
            return network.apply(params, x)
    else:
        initial = tuple(p.clone() for p in network.params)

        def model(x):
            tangents = tuple(p - p0 for p, p0 in zip(params, initial))
            f0, change = jvp(lambda *ps: network.apply(ps, x), initial, tangents)
            return f0 + change
    return model, torch.optim.SGD(params, lr=learning_rate)


def step(model, optimizer, x, y, read_loss):
    optimizer.zero_grad()
    loss = 0.5 * ((model(x) - y) ** 2).sum() / y.numel()
    if read_loss:
        loss.item()
    loss.backward()
    optimizer.step()


def step_and_timing(network, x, y, kind, learning_rate, policy, read_loss, device=CPU):
    """The model's float64 outputs on `x` after one step from the initial parameters, and the timing of steps (on
    a fresh copy of the model). `read_loss`: whether every step reads the loss (loss.item()), as the C# step each
    mode compares against does: the CPU benchmark's (Cases/TrainingStepCases.cs) reads it every step, as Trainer
    does; the device check's (DeviceCheck/GpuTimings.cs) does not, since on a GPU the read waits for the device."""
    model, optimizer = make(network, kind, learning_rate)
    step(model, optimizer, x, y, read_loss)
    with torch.no_grad():
        after_one_step = model(x).detach().to(torch.float64)

    model, optimizer = make(network, kind, learning_rate)
    summary, _ = measure(synchronized(lambda: step(model, optimizer, x, y, read_loss), device), policy)
    return summary, after_one_step


def run(args, workspace, policy, time_limit, output_name, matmul_float32):
    x, y = load_tensor(workspace, args["x"]), load_tensor(workspace, args["y"])
    network = Network(args["network"], workspace, torch.float32)
    summary, after_one_step = step_and_timing(network, x, y, args["model"], args["learning_rate"], policy, read_loss=True)
    summary["output"] = workspace.save(output_name, after_one_step.numpy())
    return summary
