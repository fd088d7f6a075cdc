"""The function transforms both peers use: vmap, jacrev and jvp from torch.func (PyTorch 2.x), or from functorch on
PyTorch 1.x (Debian's 1.13, the CPU benchmark's peer, has no torch.func). FUNC names the one imported."""
try:
    from torch.func import jacrev, jvp, vmap
    FUNC = "torch.func"
except ImportError:  # PyTorch before 2.0
    from functorch import jacrev, jvp, vmap
    FUNC = "functorch"

__all__ = ["FUNC", "jacrev", "jvp", "vmap"]
