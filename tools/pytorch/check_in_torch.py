#!/usr/bin/python3
"""The PyTorch side of the bridge's tests (src/shared/pytorch/torchRoundTrip.test.ts).

  logits --weights W.safetensors --images N
      loads W into the seed's SimpleCNN with load_state_dict(strict=True) and prints, as JSON, the
      file's metadata and the logits (model.eval()) on the first N MNIST test images.
  save-pt --weights W.safetensors --out M.pt [--legacy]
      saves W's state_dict with torch.save: the zip format, or with --legacy the older bare pickle;
      what a user has before converting it with the lines the app shows.
  batchnorm --weights W.safetensors --out T.safetensors
      loads W into TinyBatchNormNet with strict=True, prints bn1.num_batches_tracked as JSON, runs one
      training-mode forward pass (BatchNorm moves its running statistics and counts the batch), and
      writes the state_dict to T.

Run with Debian's python (it has torch): /usr/bin/python3 tools/pytorch/check_in_torch.py ...
"""
import argparse
import json

import torch

from torch import nn

from torch_bridge import SimpleCNN, mnist, read_safetensors, write_safetensors


class TinyBatchNormNet(nn.Module):
    """A conv without bias, BatchNorm, ReLU, 2×2 max-pool, flatten and one dense layer: a BatchNorm
    state_dict (bn1.weight, bias, running_mean, running_var, num_batches_tracked) to exchange."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(4)
        self.fc1 = nn.Linear(14 * 14 * 4, 10)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.bn1(self.conv1(x))), 2)
        return self.fc1(torch.flatten(x, 1))


def logits(args):
    tensors, metadata = read_safetensors(args.weights)
    model = SimpleCNN()
    model.load_state_dict(tensors, strict=True)
    model.eval()
    images, _ = mnist("t10k", args.images)
    with torch.no_grad():
        out = model(images)
    print(json.dumps({"metadata": metadata, "logits": [[float(v) for v in row] for row in out]}))


def save_pt(args):
    tensors, _ = read_safetensors(args.weights)
    torch.save(tensors, args.out, _use_new_zipfile_serialization=not args.legacy)


def batchnorm(args):
    tensors, _ = read_safetensors(args.weights)
    model = TinyBatchNormNet()
    model.load_state_dict(tensors, strict=True)
    print(json.dumps({"num_batches_tracked": model.bn1.num_batches_tracked.item()}))
    images, _ = mnist("t10k", 16)
    model.train()
    with torch.no_grad():
        model(images)
    write_safetensors(args.out, model.state_dict())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = ap.add_subparsers(dest="command", required=True)
    logits_command = commands.add_parser("logits")
    logits_command.add_argument("--weights", required=True)
    logits_command.add_argument("--images", type=int, default=100)
    save_command = commands.add_parser("save-pt")
    save_command.add_argument("--weights", required=True)
    save_command.add_argument("--out", required=True)
    save_command.add_argument("--legacy", action="store_true")
    batchnorm_command = commands.add_parser("batchnorm")
    batchnorm_command.add_argument("--weights", required=True)
    batchnorm_command.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    {"logits": logits, "save-pt": save_pt, "batchnorm": batchnorm}[args.command](args)


if __name__ == "__main__":
    main()
