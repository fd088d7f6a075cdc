"""The device check's peer computations, on the check's device with torch.func (functorch on PyTorch 1.x):
the empirical NTK by Jacobian contraction, as in PyTorch's NTK tutorial (per-example Jacobians with vmap(jacrev),
contracted with einsum('Naf,Mbf->NMab') per parameter tensor and summed), and one full-batch SGD step of the network or
of its linearization f_0 + jvp(f, theta_0, theta - theta_0). Every timed run ends with a device synchronization."""
import torch

try:
    from torch.func import jacrev, jvp, vmap
    FUNC = "torch.func"
except ImportError:  # PyTorch before 2.0
    from functorch import jacrev, jvp, vmap
    FUNC = "functorch"

from network import Network
from timing import measure


def synchronized(run, device):
    """`run`, waiting for the device's queued work before it returns (CUDA calls return once the work is queued)."""
    if device.type != "cuda":
        return run

    def timed():
        output = run()
        torch.cuda.synchronize(device)
        return output
    return timed


def network_on(spec, workspace, device):
    network = Network(spec, workspace, torch.float32)
    network.params = tuple(p.to(device) for p in network.params)
    return network


def jacobian_ntk(args, workspace, policy, device, output_name):
    x = workspace.load(args["x"]).to(device)
    network = network_on(args["network"], workspace, device)
    params = network.params
    n, k = x.shape[0], network.outputs
    count = sum(p.numel() for p in params)

    def single(params, xi):
        return network.apply(params, xi.unsqueeze(0)).squeeze(0)

    jacobian_fn = vmap(jacrev(single), in_dims=(None, 0))

    def jacobian(rows):
        return [j.flatten(2) for j in jacobian_fn(params, rows)]  # each [B, k, P_i]

    def contract(j1, j2):
        blocks = torch.stack([torch.einsum("Naf,Mbf->NMab", a, b) for a, b in zip(j1, j2)]).sum(0)
        return blocks.diagonal(dim1=2, dim2=3).mean(-1)  # the Mean output form: [N, M]

    # Blocks of rows whose Jacobians fit the budget; the kernel is symmetric, so only blocks j >= i are computed.
    block = max(1, min(n, args["block_budget_bytes"] // (count * k * 4)))
    starts = list(range(0, n, block))

    def kernel():
        result = torch.empty(n, n, dtype=torch.float64, device=device)
        for bi, i0 in enumerate(starts):
            ji = jacobian(x[i0:i0 + block])
            for j0 in starts[bi:]:
                jj = ji if j0 == i0 else jacobian(x[j0:j0 + block])
                values = contract(ji, jj).to(torch.float64)
                result[i0:i0 + block, j0:j0 + block] = values
                result[j0:j0 + block, i0:i0 + block] = values.T
                del jj
            del ji
        return result

    summary, output = measure(synchronized(kernel, device), policy)
    summary["output"] = workspace.save(output_name, output)
    summary["note"] = "%d block(s) of %d rows" % (len(starts), block)
    return summary


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
    """Forward, mean MSE loss, backward, SGD step: what the C# side times (no read of the loss)."""
    optimizer.zero_grad()
    loss = 0.5 * ((model(x) - y) ** 2).sum() / y.numel()
    loss.backward()
    optimizer.step()


def training_step(args, workspace, policy, device, output_name):
    x = workspace.load(args["x"]).to(device)
    y = workspace.load(args["y"]).to(device)
    network = network_on(args["network"], workspace, device)

    model, optimizer = make(network, args["model"], args["learning_rate"])
    step(model, optimizer, x, y)
    with torch.no_grad():
        after_one_step = model(x).detach().to(torch.float64)

    model, optimizer = make(network, args["model"], args["learning_rate"])
    summary, _ = measure(synchronized(lambda: step(model, optimizer, x, y), device), policy)
    summary["output"] = workspace.save(output_name, after_one_step)
    return summary


RUNNERS = {"jacobian_ntk": jacobian_ntk, "training_step": training_step}
