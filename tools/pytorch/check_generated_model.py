#!/usr/bin/python3
"""The network class of generated <run>.py scripts, against the app (src/shared/pytorch/specTorchRoundTrip.test.ts).

  check_generated_model.py --jobs JOBS.json --images N
      JOBS.json is a list of {"script": a generated <run>.py, "model": the expression the script builds
      its network with (e.g. "Net(dropout=DROPOUT)"), "weights": a .safetensors the app exported}. For
      each, the script is imported as a module (its main() does not run: it is guarded by __main__), the
      network built as the script builds it, the weights loaded with load_state_dict(strict=True), and
      the network run in eval mode on the first N MNIST test images. Prints one JSON list: per job the
      state_dict's names and shapes, in order, and the logits.

One process for every job: torch is imported once. Run with Debian's python (it has torch):
/usr/bin/python3 tools/pytorch/check_generated_model.py ...
"""
import argparse
import importlib.util
import json

import torch

from torch_bridge import mnist, read_safetensors


def check(index, job, images):
    spec = importlib.util.spec_from_file_location(f"generated_run_{index}", job["script"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # The expression comes from the script generator (PytorchArchitecture.instantiate), evaluated among
    # the script's own names, as its main() evaluates it.
    model = eval(job["model"], vars(module))
    tensors, _ = read_safetensors(job["weights"])
    model.load_state_dict(tensors, strict=True)
    model.eval()
    with torch.no_grad():
        logits = model(images)
    return {
        "stateDict": [[name, list(tensor.shape)] for name, tensor in model.state_dict().items()],
        "logits": [[float(v) for v in row] for row in logits],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", required=True)
    ap.add_argument("--images", type=int, default=32)
    args = ap.parse_args()
    torch.set_num_threads(1)
    with open(args.jobs) as f:
        jobs = json.load(f)
    images, _ = mnist("t10k", args.images)
    print(json.dumps([check(index, job, images) for index, job in enumerate(jobs)]))


if __name__ == "__main__":
    main()
