#!/usr/bin/python3
"""Make the PyTorch bridge's fixtures: weights trained in PyTorch, for the app to import.

fixtures/pytorch/simple_cnn_trained.safetensors
    the seed's SimpleCNN after `--steps` Adam steps in PyTorch (the seed's recipe: lr 1e-3,
    weight_decay 1e-4, batch 64, dropout on) on the first `--train-images` MNIST training images,
    written with this folder's own safetensors writer (F32, the state_dict's names and order).
fixtures/pytorch/simple_cnn_trained.json
    how it was made, and PyTorch's logits (model.eval()) on the first `--test-images` MNIST test
    images, with their labels and PyTorch's accuracy on them.
fixtures/pytorch/dtypes.safetensors
    one vector of 64 values spanning float16's range, as F16, BF16 and F64, beside PyTorch's own
    conversion of each to float32 (F16_as_F32, ...), so a reader's conversions can be checked bit for bit.

Run with Debian's python (it has torch): /usr/bin/python3 tools/pytorch/make_fixture.py
"""
import argparse
import json
import os

import torch
from torch import nn, optim

from torch_bridge import REPO_ROOT, SimpleCNN, mnist, write_safetensors


def train(args):
    torch.manual_seed(args.seed)
    images, labels = mnist("train", args.train_images)
    model = SimpleCNN()
    optimizer = optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    criterion = nn.CrossEntropyLoss()
    model.train()
    order = torch.randperm(args.train_images)
    for step in range(args.steps):
        start = (step * args.batch_size) % args.train_images
        batch = order[start:start + args.batch_size]
        optimizer.zero_grad()
        loss = criterion(model(images[batch]), labels[batch])
        loss.backward()
        optimizer.step()
        if (step + 1) % 50 == 0:
            print(f"step {step + 1}: loss {loss.item():.4f}")
    return model.eval()


def dtype_fixture():
    """64 values from float16's subnormals to its largest, of both signs, and some that round."""
    torch.manual_seed(1)
    values = torch.cat([
        torch.tensor([0.0, -0.0, 1.0, -2.0, 65504.0, -65504.0, 2.0 ** -24, 6e-8, 1e-4, 1 / 3]),
        torch.randn(27) * 100,
        torch.randn(27) * 1e-3,
    ])
    tensors = {}
    for name, dtype in (("F16", torch.float16), ("BF16", torch.bfloat16), ("F64", torch.float64)):
        converted = values.to(dtype)
        tensors[name] = converted
        tensors[f"{name}_as_F32"] = converted.float()
    return tensors


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--train-images", type=int, default=6400)
    ap.add_argument("--test-images", type=int, default=100)
    ap.add_argument("--out-dir", default=os.path.join(REPO_ROOT, "fixtures", "pytorch"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    model = train(args)
    state_dict = model.state_dict()
    weights_path = os.path.join(args.out_dir, "simple_cnn_trained.safetensors")
    write_safetensors(weights_path, state_dict, {"format": "pt", "made_by": "tools/pytorch/make_fixture.py"})

    images, labels = mnist("t10k", args.test_images)
    with torch.no_grad():
        logits = model(images)
    accuracy = 100 * (logits.argmax(1) == labels).sum().item() / args.test_images
    meta = {
        "description": "SimpleCNN trained in PyTorch; its logits on the first test images (model.eval())",
        "generatedBy": "tools/pytorch/make_fixture.py",
        "torchVersion": torch.__version__,
        "resolvedArgs": {k: v for k, v in vars(args).items() if k != "out_dir"},
        "optimizer": {"name": "Adam", "lr": 1e-3, "weightDecay": 1e-4},
        "testImages": args.test_images,
        "labels": labels.tolist(),
        # float32 values written as the doubles they are: JSON keeps them exactly.
        "logits": [[float(v) for v in row] for row in logits],
        "accuracy": accuracy,
    }
    with open(os.path.join(args.out_dir, "simple_cnn_trained.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    write_safetensors(os.path.join(args.out_dir, "dtypes.safetensors"), dtype_fixture())
    print(f"accuracy on the first {args.test_images} test images: {accuracy:.2f}%; wrote {weights_path}")


if __name__ == "__main__":
    main()
