#!/usr/bin/python3
"""The PyTorch side of the bridge's tests (src/shared/pytorch/torchRoundTrip.test.ts).

  logits --weights W.safetensors --images N
      loads W into the seed's SimpleCNN with load_state_dict(strict=True) and prints, as JSON, the
      file's metadata and the logits (model.eval()) on the first N MNIST test images.
  save-pt --weights W.safetensors --out M.pt [--legacy]
      saves W's state_dict with torch.save: the zip format, or with --legacy the older bare pickle;
      what a user has before converting it with the lines the app shows.

Run with Debian's python (it has torch): /usr/bin/python3 tools/pytorch/check_in_torch.py ...
"""
import argparse
import json

import torch

from torch_bridge import SimpleCNN, mnist, read_safetensors


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
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.command == "logits":
        logits(args)
    else:
        save_pt(args)


if __name__ == "__main__":
    main()
