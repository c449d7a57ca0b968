#!/usr/bin/env python3
"""Reference outputs of tiny CIFAR ResNets from PyTorch, for the spec's ResNet forward pass.

PyTorch's own Conv2d (padding 1, strides 1 and 2), BatchNorm2d in eval mode
with random running statistics, ReLU, adaptive average pooling and Linear,
in float64. Writes golden/vectors/resnet-torch.json with every weight, input
and output stored explicitly (state-dict names of golden/generate/resnet.py).

    /usr/bin/python3 golden/generate/resnet_vectors.py   # needs torch (Debian: python3-torch)
"""
import json
import platform
import sys
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from resnet import ResNet  # noqa: E402

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
        with torch.no_grad():
            for module in model.modules():
                if isinstance(module, nn.BatchNorm2d):
                    module.weight.uniform_(0.5, 1.5)
                    module.bias.uniform_(-0.5, 0.5)
                    module.running_mean.uniform_(-0.5, 0.5)
                    module.running_var.uniform_(0.25, 2.0)
        model.eval()
        pixels = torch.randint(0, 256, (2, channels, height, w), dtype=torch.int64)
        x = (2 * pixels.double() - 255) / 255
        with torch.no_grad():
            logits = model(x)
        state = {k: {"shape": list(v.shape), "values": v.flatten().tolist()} for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
        groups.append({
            "tcId": tc_id,
            "comment": comment,
            "config": {"width": width, "blocks": list(blocks), "channels": channels, "classes": classes, "height": height, "imageWidth": w, "bnEps": 1e-5},
            "stateDict": state,
            "pixels": {"shape": list(pixels.shape), "layout": "NCHW", "values": pixels.flatten().tolist()},
            "logits": {"shape": list(logits.shape), "values": logits.flatten().tolist()},
        })
    out = {
        "algorithm": "CIFAR ResNet forward pass (BasicBlocks, inference-mode BatchNorm), float64, state-dict names of golden/generate/resnet.py",
        "provenance": {
            "generator": "golden/generate/resnet_vectors.py",
            "torch": torch.__version__,
            "python": platform.python_version(),
            "device": "cpu",
            "dtype": "float64",
            "seed": 20210531,
            "normalization": "(2x - 255)/255 applied to the 8-bit pixels",
        },
        "numberOfTests": len(groups),
        "tests": groups,
    }
    path = Path(__file__).resolve().parents[1] / "vectors" / "resnet-torch.json"
    path.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print(f"wrote {path} ({path.stat().st_size} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
