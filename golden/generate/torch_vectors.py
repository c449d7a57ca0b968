"""Helpers shared by the PyTorch test-vector generators (convmixer_vectors.py, resnet_vectors.py,
system_b_vectors.py): tensors as JSON, random inference-mode BatchNorm statistics, and writing a
vector file into golden/vectors/.
"""
import json
import platform
import sys
from pathlib import Path

import torch
from torch import nn

VECTORS_DIR = Path(__file__).resolve().parents[1] / "vectors"


def tensor_json(t, layout=None):
    """A tensor as {"shape", ["layout",] "values"}, values flat row-major."""
    out = {"shape": list(t.shape)}
    if layout is not None:
        out["layout"] = layout
    out["values"] = t.flatten().tolist()
    return out


def state_dict_json(model):
    """Every tensor of the model's state dict as tensor_json (num_batches_tracked left out)."""
    return {k: tensor_json(v) for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}


@torch.no_grad()
def randomize_batch_norm(model):
    """Random affine parameters and running statistics (variance in [0.25, 2]) for every BatchNorm2d, in module order."""
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.weight.uniform_(0.5, 1.5)
            module.bias.uniform_(-0.5, 0.5)
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.25, 2.0)


def float64_provenance(generator, seed):
    """The provenance of a float64 CPU forward-pass vector file."""
    return {
        "generator": generator,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "device": "cpu",
        "dtype": "float64",
        "seed": seed,
        "normalization": "(2x - 255)/255 applied to the 8-bit pixels",
    }


def write_vectors(name, out):
    """Writes golden/vectors/<name> as compact JSON and says so on stderr."""
    path = VECTORS_DIR / name
    path.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print(f"wrote {path} ({path.stat().st_size} bytes)", file=sys.stderr)
