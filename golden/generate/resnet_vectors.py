#!/usr/bin/env python3
"""Reference outputs of tiny CIFAR ResNets from PyTorch, for the spec's ResNet forward pass.

PyTorch's own Conv2d (padding 1, strides 1 and 2), BatchNorm2d in eval mode
with random running statistics, ReLU, adaptive average pooling and Linear,
in float64. Writes golden/vectors/resnet-torch.json with every weight, input
and output stored explicitly (state-dict names of golden/generate/resnet.py).

    /usr/bin/python3 golden/generate/resnet_vectors.py   # needs torch (Debian: python3-torch)
"""
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from resnet import ResNet  # noqa: E402
from torch_vectors import float64_provenance, randomize_batch_norm, state_dict_json, tensor_json, write_vectors  # noqa: E402

CASES = [
    # id, width, blocks, channels, classes, height, width, comment
    (1, 2, (1, 1, 1, 1), 3, 3, 8, 8, "one block per stage: every stage 2-4 has a projection shortcut (stride 2)"),
    (2, 2, (2, 2, 2, 2), 3, 10, 16, 16, "ResNet-18 block layout, width 2: identity shortcuts in the second blocks"),
    (3, 2, (2, 1, 1, 2), 1, 4, 9, 7, "odd, non-square image: stride-2 convs with padding 1 round down as PyTorch does"),
    (4, 2, (1, 1, 1, 1), 3, 10, 32, 32, "CIFAR size 32x32, width 2"),
]


def main():
    torch.manual_seed(20210531)
    groups = []
    for tc_id, width, blocks, channels, classes, height, w, comment in CASES:
        model = ResNet(width, blocks, channels, classes).double()
        randomize_batch_norm(model)
        model.eval()
        pixels = torch.randint(0, 256, (2, channels, height, w), dtype=torch.int64)
        x = (2 * pixels.double() - 255) / 255
        with torch.no_grad():
            logits = model(x)
        groups.append({
            "tcId": tc_id,
            "comment": comment,
            "config": {"width": width, "blocks": list(blocks), "channels": channels, "classes": classes, "height": height, "imageWidth": w, "bnEps": 1e-5},
            "stateDict": state_dict_json(model),
            "pixels": tensor_json(pixels, "NCHW"),
            "logits": tensor_json(logits),
        })
    out = {
        "algorithm": "CIFAR ResNet forward pass (BasicBlocks, inference-mode BatchNorm), float64, state-dict names of golden/generate/resnet.py",
        "provenance": float64_provenance("golden/generate/resnet_vectors.py", 20210531),
        "numberOfTests": len(groups),
        "tests": groups,
    }
    write_vectors("resnet-torch.json", out)


if __name__ == "__main__":
    main()
