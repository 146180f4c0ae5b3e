#!/usr/bin/python3
"""Generate the PyTorch golden fixture for the tfjs optimizers (TorchAdam, TorchAdamW, TorchSgd).

Two small seeded float32 parameter tensors get STEPS updates from stored, seeded random gradients
(no model, no loss: the gradients are simply given), with the learning rate changed between steps
through param_group['lr'] (what StepLR and the live slider do). Every case starts from the same
parameters and sees the same gradients; the fixture records the parameters after every step.

Cases: torch.optim.Adam (L2 weight decay 1e-4, the seed's), torch.optim.AdamW (decoupled decay 1e-2),
torch.optim.SGD (momentum 0.9, weight decay 1e-4), and AdamW / SGD with a strong decay (0.5) so that
where the decay enters the update (before or after the Adam step, into the momentum buffer or not)
moves the result well beyond float32 rounding.

Output (see tools/parity/README.md): fixtures/parity/optimizers.json, JSON only.

Run with Debian's python (it has torch): /usr/bin/python3 tools/parity/make_optimizer_fixture.py
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from torch import optim

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(SCRIPT_DIR))

PARAM_SHAPES = [("weight", [7]), ("bias", [5])]
LRS = [1e-2, 1e-2, 5e-3, 5e-3, 2.5e-3]
BETAS, EPS = (0.9, 0.999), 1e-8

# id, torch class name, hyperparameters in the fixture's (camelCase) spelling
CASES = [
    ("adam", "Adam", {"betas": list(BETAS), "eps": EPS, "weightDecay": 1e-4}),
    ("adamw", "AdamW", {"betas": list(BETAS), "eps": EPS, "weightDecay": 1e-2}),
    ("adamw_strong_decay", "AdamW", {"betas": list(BETAS), "eps": EPS, "weightDecay": 0.5}),
    ("sgd", "SGD", {"momentum": 0.9, "dampening": 0.0, "nesterov": False, "weightDecay": 1e-4}),
    ("sgd_strong_decay", "SGD", {"momentum": 0.9, "dampening": 0.0, "nesterov": False, "weightDecay": 0.5}),
]


def make_optimizer(kind, hyper, params, lr):
    if kind in ("Adam", "AdamW"):
        cls = optim.Adam if kind == "Adam" else optim.AdamW
        return cls(params, lr=lr, betas=tuple(hyper["betas"]), eps=hyper["eps"],
                   weight_decay=hyper["weightDecay"], amsgrad=False, foreach=False)
    if kind == "SGD":
        return optim.SGD(params, lr=lr, momentum=hyper["momentum"], dampening=hyper["dampening"],
                         weight_decay=hyper["weightDecay"], nesterov=hyper["nesterov"], foreach=False)
    raise ValueError(kind)


def run(kind, hyper, initial, grads, dtype):
    """Parameters after each step: after[s][name] (numpy arrays in `dtype`)."""
    params = [torch.tensor(initial[name], dtype=dtype, requires_grad=True) for name, _ in PARAM_SHAPES]
    opt = make_optimizer(kind, hyper, params, LRS[0])
    after = []
    for s, lr in enumerate(LRS):
        for group in opt.param_groups:
            group["lr"] = lr
        for (name, _), p in zip(PARAM_SHAPES, params):
            p.grad = torch.tensor(grads[s][name], dtype=dtype)
        opt.step()
        after.append({name: p.detach().numpy().copy() for (name, _), p in zip(PARAM_SHAPES, params)})
    return after


def as_list(a):
    """float32 values as exact doubles (Python floats), row-major."""
    return [float(x) for x in np.asarray(a, dtype=np.float32).ravel()]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=os.path.join(REPO_ROOT, "fixtures", "parity", "optimizers.json"))
    a = ap.parse_args()

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.set_default_dtype(torch.float32)

    gen = torch.Generator().manual_seed(a.seed)
    initial = {name: torch.randn(shape, generator=gen, dtype=torch.float32).numpy() for name, shape in PARAM_SHAPES}
    grads = [{name: torch.randn(shape, generator=gen, dtype=torch.float32).numpy() for name, shape in PARAM_SHAPES}
             for _ in LRS]

    cases, report = [], []
    for case_id, kind, hyper in CASES:
        after = run(kind, hyper, initial, grads, torch.float32)
        # The same run in float64 from the same float32 inputs: how far float32 rounding alone moves it.
        after64 = run(kind, hyper, initial, grads, torch.float64)
        sens = max(float(np.abs(after[s][n].astype(np.float64) - after64[s][n]).max())
                   for s in range(len(LRS)) for n, _ in PARAM_SHAPES)
        rel_sens = max(float((np.abs(after[s][n].astype(np.float64) - after64[s][n]) /
                              np.maximum(np.abs(after64[s][n]), 1e-30)).max())
                       for s in range(len(LRS)) for n, _ in PARAM_SHAPES)
        moved = max(float(np.abs(after[-1][n].astype(np.float64) - initial[n]).max()) for n, _ in PARAM_SHAPES)
        cases.append({
            "id": case_id,
            "optimizer": kind,
            "hyper": hyper,
            "after": [{n: as_list(step[n]) for n, _ in PARAM_SHAPES} for step in after],
            "float64Sensitivity": {"absolute": sens, "relative": rel_sens},
        })
        report.append((case_id, moved, sens, rel_sens))

    meta = {
        "description": ("PyTorch golden updates for the tfjs optimizers (TorchAdam, TorchAdamW, TorchSgd); "
                        "see tools/parity/README.md"),
        "generatedBy": ("/usr/bin/python3 tools/parity/make_optimizer_fixture.py " + " ".join(sys.argv[1:])).strip(),
        "torchVersion": torch.__version__,
        "numpyVersion": np.__version__,
        "seed": a.seed,
        "steps": len(LRS),
        "lrs": LRS,
        "lrNote": "lrs[s] is set via param_group['lr'] before step s (the optimizer is built with lrs[0])",
        "params": [{"name": n, "shape": shape, "initial": as_list(initial[n])} for n, shape in PARAM_SHAPES],
        "grads": [{n: as_list(g[n]) for n, _ in PARAM_SHAPES} for g in grads],
        "gradsNote": "grads[s][name] is param.grad at step s (float32, row-major), given, not computed",
        "afterNote": "cases[k].after[s][name] is the float32 parameter after step s (0-based), row-major",
        "cases": cases,
    }
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")

    print(f"torch {torch.__version__}, seed {a.seed}, {len(LRS)} steps, lrs {LRS}")
    print(f"{'case':20s} {'max|final-initial|':>18s} {'f32-vs-f64 abs':>15s} {'rel':>9s}")
    for case_id, moved, sens, rel_sens in report:
        print(f"{case_id:20s} {moved:18.3e} {sens:15.1e} {rel_sens:9.1e}")
    r = os.path.relpath(os.path.abspath(a.out), REPO_ROOT)
    print(f"wrote {a.out if r.startswith('..') else r} ({os.path.getsize(a.out)} bytes)")


if __name__ == "__main__":
    main()
