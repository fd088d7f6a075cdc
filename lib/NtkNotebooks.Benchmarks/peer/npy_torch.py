"""NumPy's .npy format (version 1.0, little-endian float32/float64, C order) read into and written from torch tensors,
without NumPy: the GPU machine's PyTorch need not have it. The C# side writes and reads these files (Peer/Npy.cs)."""
import ast
import ctypes
import struct

import torch

MAGIC = b"\x93NUMPY"
DTYPES = {"<f4": torch.float32, "<f8": torch.float64}
DESCRS = {dtype: descr for descr, dtype in DTYPES.items()}


def load(path):
    """The array in `path` as a CPU tensor of its dtype and shape."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != MAGIC:
        raise ValueError(path + " is not a .npy file")
    if data[6] == 1:
        (length,), offset = struct.unpack("<H", data[8:10]), 10
    else:
        (length,), offset = struct.unpack("<I", data[8:12]), 12
    header = ast.literal_eval(data[offset:offset + length].decode("latin1"))
    if header["fortran_order"] or header["descr"] not in DTYPES:
        raise ValueError("%s: only C-order little-endian float32/float64 arrays are read, not %s" % (path, header))
    body = bytearray(data[offset + length:])
    if not body:
        return torch.empty(header["shape"], dtype=DTYPES[header["descr"]])
    return torch.frombuffer(body, dtype=DTYPES[header["descr"]]).reshape(header["shape"]).clone()


def save(path, tensor):
    """Writes a float32 or float64 tensor (on any device) to `path`."""
    tensor = tensor.detach().to("cpu").contiguous()
    shape = "(%d,)" % tensor.shape[0] if tensor.dim() == 1 else "(" + ", ".join(str(s) for s in tensor.shape) + ")"
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (DESCRS[tensor.dtype], shape)
    header += " " * ((64 - (len(MAGIC) + 4 + len(header) + 1) % 64) % 64) + "\n"
    # The bytes of a contiguous CPU tensor, read straight from its memory (x86-64 and arm64 are little-endian).
    body = ctypes.string_at(tensor.data_ptr(), tensor.numel() * tensor.element_size()) if tensor.numel() else b""
    with open(path, "wb") as f:
        f.write(MAGIC + bytes([1, 0]) + struct.pack("<H", len(header)) + header.encode("latin1") + body)
