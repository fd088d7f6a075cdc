"""The benchmark's fully connected network as a pure function of its parameters, with the weights the C# side wrote:
layer l computes h = a_l (x W_l) + c_l b_l, with ReLU between layers (NTK parameterization, as in the library).
Its parameters lie on `device` (the CPU unless the device check asks for another)."""
import torch

CPU = torch.device("cpu")


class Network:
    def __init__(self, spec, workspace, dtype, device=CPU):
        if spec["activation"] != "ReLU":
            raise ValueError("the peer implements ReLU networks only, got " + spec["activation"])
        self.weight_scales = spec["weight_scales"]
        self.bias_scales = spec["bias_scales"]
        params = []
        for weight, bias in zip(spec["weights"], spec["biases"]):
            params.append(as_tensor(workspace.load(weight)).to(dtype).to(device))
            if bias is not None:
                params.append(as_tensor(workspace.load(bias)).to(dtype).to(device))
        self.has_bias = [bias is not None for bias in spec["biases"]]
        # Same order as the C# network's parameters(): W1, b1, W2, b2, ...
        self.params = tuple(params)

    @property
    def outputs(self):
        return self.params[-2 if self.has_bias[-1] else -1].shape[1]

    def apply(self, params, x):
        h, index = x, 0
        for layer, has_bias in enumerate(self.has_bias):
            if layer > 0:
                h = torch.relu(h)
            out = (h @ params[index]) * self.weight_scales[layer]
            index += 1
            if has_bias:
                out = out + params[index] * self.bias_scales[layer]
                index += 1
            h = out
        return h


class LayerNetwork:
    """A network given as a list of layers (the CNN benchmark's Stax network): "conv" (h = conv2d(u, a W) + c b with
    torch's symmetric zero padding), "dense" (h = a (u W) + c b), "tanh", "relu" and "global_avg_pool" (the mean over
    pixels), applied in order to images [N, C, H, W]. Parameters in layer order, as the C# network's parameters()."""

    def __init__(self, spec, workspace, dtype, device=CPU):
        self.layers = spec["layers"]
        params = []
        for layer in self.layers:
            if layer["kind"] in ("conv", "dense"):
                params.append(as_tensor(workspace.load(layer["weight"])).to(dtype).to(device))
                if layer["bias"] is not None:
                    params.append(as_tensor(workspace.load(layer["bias"])).to(dtype).to(device))
        self.params = tuple(params)
        self.outputs = spec["outputs"]

    def apply(self, params, x):
        h, index = x, 0
        for layer in self.layers:
            kind = layer["kind"]
            if kind in ("conv", "dense"):
                weight = params[index]
                index += 1
                bias = None
                if layer["bias"] is not None:
                    bias = params[index] * layer["bias_scale"]
                    index += 1
                if kind == "conv":
                    h = torch.nn.functional.conv2d(h, weight * layer["weight_scale"], bias,
                                                   stride=tuple(layer["stride"]), padding=tuple(layer["padding"]))
                else:
                    h = (h @ weight) * layer["weight_scale"]
                    if bias is not None:
                        h = h + bias
            elif kind == "tanh":
                h = torch.tanh(h)
            elif kind == "relu":
                h = torch.relu(h)
            elif kind == "global_avg_pool":
                h = h.mean(dim=(2, 3))
            else:
                raise ValueError("unknown layer kind " + kind)
        return h


def network_from(spec, workspace, dtype, device=CPU):
    """The network a spec describes: a list of layers, or the fully connected ReLU network."""
    cls = LayerNetwork if "layers" in spec else Network
    return cls(spec, workspace, dtype, device)


def as_tensor(array):
    """What a workspace loaded (a NumPy array, or already a tensor: the GPU peer's workspace) as a tensor."""
    return array if isinstance(array, torch.Tensor) else torch.from_numpy(array)


def load_tensor(workspace, name, device=CPU):
    """The array `name` of either peer's workspace as a tensor on `device` (the loaded one itself on the CPU)."""
    return as_tensor(workspace.load(name)).to(device)


class Workspace:
    """The folder the C# side shares: inputs as .npy, outputs written back as .npy (with NumPy, imported here only:
    the GPU peer reads the same Network class without it)."""

    def __init__(self, folder):
        self.folder = folder

    def load(self, name):
        import numpy as np
        return np.load(self.folder + "/" + name)

    def save(self, name, array):
        import numpy as np
        np.save(self.folder + "/" + name, np.ascontiguousarray(array))
        return name
