"""One full-batch SGD step (forward, mean MSE loss, backward, torch.optim.SGD step) of the network, or of its
linearization f_lin(x) = f_0(x) + J_0(x) (theta - theta_0) computed with functorch.jvp, float32."""
import torch
from functorch import jvp

from network import Network
from timing import measure


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


def step(model, optimizer, x, y):
    optimizer.zero_grad()
    loss = 0.5 * ((model(x) - y) ** 2).sum() / y.numel()
    loss.item()
    loss.backward()
    optimizer.step()


def run(args, workspace, policy, time_limit, output_name, matmul_float32):
    x = torch.from_numpy(workspace.load(args["x"]))
    y = torch.from_numpy(workspace.load(args["y"]))
    network = Network(args["network"], workspace, torch.float32)

    model, optimizer = make(network, args["model"], args["learning_rate"])
    step(model, optimizer, x, y)
    after_one_step = model(x).detach().to(torch.float64).numpy()

    model, optimizer = make(network, args["model"], args["learning_rate"])
    summary, _ = measure(lambda: step(model, optimizer, x, y), policy)
    summary["output"] = workspace.save(output_name, after_one_step)
    return summary
