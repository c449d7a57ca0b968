#!/usr/bin/env python3
"""Reference outputs of small ConvMixers from PyTorch, for the spec's forward pass.

An independent implementation of Eqs. (1)-(2): PyTorch's own Conv2d (padding
"same"), exact GELU, BatchNorm2d in eval mode, adaptive average pooling and
Linear, in float64. Writes golden/vectors/convmixer-torch.json with every
weight, input and output stored explicitly (state-dict names of the
reference nn.Sequential ConvMixer).

    python3 golden/generate/convmixer_vectors.py   # needs torch (Debian: python3-torch)
"""
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from convmixer import conv_mixer  # noqa: E402
from torch_vectors import float64_provenance, randomize_batch_norm, state_dict_json, tensor_json, write_vectors  # noqa: E402


CASES = [
    # id, dim, depth, kernel, patch, channels, classes, height, width, comment
    (1, 4, 1, 3, 2, 3, 3, 8, 8, "odd kernel, RGB, 4x4 patches of 2x2"),
    (2, 3, 2, 2, 1, 1, 4, 5, 5, "even kernel: PyTorch pads 'same' asymmetrically (0 before, 1 after)"),
    (3, 5, 2, 5, 4, 3, 10, 16, 16, "CIFAR-like patch 4, kernel 5 wider than the 4x4 feature map"),
    (4, 2, 0, 1, 2, 2, 2, 4, 6, "depth 0: stem, pooling and head only; non-square image"),
    (5, 6, 3, 4, 2, 3, 5, 12, 8, "even kernel 4, depth 3"),
]


def main():
    torch.manual_seed(20220723)
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    groups = []
    for tc_id, dim, depth, kernel, patch, channels, classes, height, width, comment in CASES:
        model = conv_mixer(dim, depth, kernel, patch, channels, classes).double()
        randomize_batch_norm(model)
        model.eval()
        pixels = torch.randint(0, 256, (2, channels, height, width), dtype=torch.int64)
        x = (2 * pixels.double() - 255) / 255  # Eq. (7) of x/255, mean 0.5 / std 0.5
        with torch.no_grad():
            embedding = model[0](x)
            logits = model(x)
        groups.append({
            "tcId": tc_id,
            "comment": comment,
            "config": {"dim": dim, "depth": depth, "kernel": kernel, "patch": patch, "channels": channels, "classes": classes, "height": height, "width": width, "bnEps": 1e-5},
            "stateDict": state_dict_json(model),
            "pixels": tensor_json(pixels, "NCHW"),
            "patchEmbedding": tensor_json(embedding),
            "logits": tensor_json(logits),
        })
    out = {
        "algorithm": "ConvMixer forward pass (Eqs. 1-2), float64, reference nn.Sequential layout",
        "provenance": float64_provenance("golden/generate/convmixer_vectors.py", 20220723),
        "numberOfTests": len(groups),
        "tests": groups,
    }
    write_vectors("convmixer-torch.json", out)


if __name__ == "__main__":
    main()
