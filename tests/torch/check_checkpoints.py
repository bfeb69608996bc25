#!/usr/bin/python3
"""Loads the checkpoints export_models wrote into the PyTorch twins of our models and checks that
PyTorch computes the same outputs. Reads safetensors with the json module and NumPy only (Debian's
PyTorch 1.13 has no safetensors package). Usage: check_checkpoints.py DIR. Exit 77: no PyTorch."""
import json
import struct
import sys
from pathlib import Path

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:  # the test is skipped, not failed, without PyTorch
    print(f"skipped: {e}")
    sys.exit(77)

DTYPES = {"F32": np.float32, "F64": np.float64}


def read_safetensors(path):
    data = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    body = data[8 + n :]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        array = np.frombuffer(body[begin:end], dtype=DTYPES[entry["dtype"]])
        tensors[name] = torch.from_numpy(array.reshape(entry["shape"]).copy())
    return tensors, header.get("__metadata__", {})


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1, self.layer2, self.layer3 = nn.Linear(784, 256), nn.Linear(256, 128), nn.Linear(128, 10)

    def forward(self, x):
        x = x.flatten(1)
        return self.layer3(F.relu(self.layer2(F.relu(self.layer1(x)))))


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 6, 5, padding=2), nn.Conv2d(6, 16, 5)
        self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2).flatten(1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class MiniTorchCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 4, 3, padding=1), nn.Conv2d(4, 8, 3, padding=1)
        self.linear1, self.dropout, self.linear2 = nn.Linear(392, 64), nn.Dropout(0.25), nn.Linear(64, 10)

    def forward(self, x):
        x = F.avg_pool2d(F.relu(self.conv2(F.relu(self.conv1(x)))), 4).flatten(1)
        return self.linear2(self.dropout(F.relu(self.linear1(x))))


class TextCNN(nn.Module):
    def __init__(self, vocab=50, dim=12, widths=(3, 4, 5), filters=100, classes=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim)
        self.convs = nn.ModuleList(nn.Conv1d(dim, filters, k) for k in widths)
        self.dropout, self.fc = nn.Dropout(0.5), nn.Linear(filters * len(widths), classes)

    def forward(self, tokens):
        x = self.embedding(tokens.long()).permute(0, 2, 1)
        pooled = [F.relu(conv(x)).max(dim=2).values for conv in self.convs]
        return self.fc(self.dropout(torch.cat(pooled, 1)))


class MLP2D(nn.Module):
    """The 2-D classifier: one logit z, answered as the two-class logits [0, z]."""

    def __init__(self, hidden=6):
        super().__init__()
        self.layer1, self.layer2, self.layer3 = nn.Linear(2, hidden), nn.Linear(hidden, hidden), nn.Linear(hidden, 1)

    def forward(self, x):
        z = self.layer3(F.relu(self.layer2(F.relu(self.layer1(x)))))
        return torch.cat([torch.zeros_like(z), z], 1)


TWINS = {"mlp": MLP, "lenet": LeNet, "minitorch-cnn": MiniTorchCNN, "textcnn": TextCNN, "mlp2d": MLP2D}


def main(directory):
    failures = 0
    for name, make in TWINS.items():
        weights, _ = read_safetensors(Path(directory) / f"{name}.model.safetensors")
        io, _ = read_safetensors(Path(directory) / f"{name}.io.safetensors")
        model = make().eval()
        model.load_state_dict(weights, strict=True)  # names and shapes must match exactly
        with torch.no_grad():
            ours = io["output"]
            theirs = model(io["input"])
        error = (ours - theirs).abs().max().item()
        scale = max(1.0, theirs.abs().max().item())
        ok = error <= 1e-4 * scale
        failures += not ok
        print(f"{name:14s} outputs {tuple(ours.shape)}  max |ours - torch| = {error:.2e}  {'ok' if ok else 'MISMATCH'}")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
