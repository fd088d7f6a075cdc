"""Empirical NTK by Jacobian contraction, as in PyTorch's NTK tutorial: per-example Jacobians with vmap(jacrev(f))
(torch.func, or functorch on PyTorch 1.x), contracted with einsum('Naf,Mbf->NMab') per parameter tensor and summed.
Rows are processed in blocks that keep each block's Jacobian under a byte budget; the kernel is symmetric, so only
blocks j >= i are computed. JacobianNtk is shared with the device check's peer (gpu_tasks.py); run is the CPU
benchmark's task, which skips runs estimated over its time limit."""
import torch

from network import CPU, load_tensor, network_from
from timing import measure, once
from transforms import jacrev, vmap


class JacobianNtk:
    """The float32 empirical NTK (Mean output form) of `network` on the inputs `x`, on `device` (where both lie)."""

    def __init__(self, network, x, block_budget_bytes, device=CPU):
        self.network, self.x, self.device = network, x, device
        self.n, self.outputs = x.shape[0], network.outputs
        self.count = sum(p.numel() for p in network.params)
        # Rows per block: a block's Jacobian [block, k, P] in float32 stays under the budget.
        self.block = max(1, min(self.n, block_budget_bytes // (self.count * self.outputs * 4)))
        self.starts = list(range(0, self.n, self.block))

        def single(params, xi):
            return network.apply(params, xi.unsqueeze(0)).squeeze(0)

        self._jacobian = vmap(jacrev(single), in_dims=(None, 0))

    def jacobian(self, rows):
        return [j.flatten(2) for j in self._jacobian(self.network.params, rows)]  # each [B, k, P_i]

    @staticmethod
    def contract(j1, j2):
        blocks = torch.stack([torch.einsum("Naf,Mbf->NMab", a, b) for a, b in zip(j1, j2)]).sum(0)
        return blocks.diagonal(dim1=2, dim2=3).mean(-1)  # the Mean output form: [N, M]

    def kernel(self):
        """The [N, N] float64 kernel on the device."""
        n, block, x = self.n, self.block, self.x
        result = torch.empty(n, n, dtype=torch.float64, device=self.device)
        for bi, i0 in enumerate(self.starts):
            ji = self.jacobian(x[i0:i0 + block])
            for j0 in self.starts[bi:]:
                jj = ji if j0 == i0 else self.jacobian(x[j0:j0 + block])
                values = self.contract(ji, jj).to(torch.float64)
                result[i0:i0 + block, j0:j0 + block] = values
                result[j0:j0 + block, i0:i0 + block] = values.T
                del jj
            del ji
        return result


def run(args, workspace, policy, time_limit, output_name, matmul_float32):
    x = load_tensor(workspace, args["x"])
    ntk = JacobianNtk(network_from(args["network"], workspace, torch.float32), x, args["block_budget_bytes"])
    n, k, count, block = ntk.n, ntk.outputs, ntk.count, ntk.block

    # Skip runs estimated over the limit: per-example Jacobian cost probed on a few inputs, plus the contraction.
    probe = x[:min(8, n)]
    once(lambda: ntk.jacobian(probe))
    seconds, _ = once(lambda: ntk.jacobian(probe))
    blocks = len(ntk.starts)
    jacobian_rows = n + (blocks - 1) * n / 2
    contraction = 2.0 * n * n * k * k * count * (blocks + 1) / (2 * blocks) / (matmul_float32 * 1e9)
    estimate = jacobian_rows * seconds / probe.shape[0] + contraction
    if estimate > time_limit:
        return {"status": "skipped",
                "reason": f"estimated {estimate:.0f} s per run > {time_limit:.0f} s ({blocks} Jacobian block(s) of {block} rows)"}

    summary, output = measure(ntk.kernel, policy)
    summary["output"] = workspace.save(output_name, output.numpy())
    return summary
