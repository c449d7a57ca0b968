#!/usr/bin/env python3
"""Test vectors for System B's transforms from the PyTorch implementation (golden/generate/system_b_transforms.py).

For each transform (shuffle, negpos, ffx) and several key sets (the golden key
set of golden/system-b/ and the first wrong key sets, stored explicitly), 8-bit
images (random, plus one holding every value 0..255 at every block position)
go through the transform; the file records the transform's output in its own
domain (8-bit or float64 in [0, 1]) and the float32 model input, and the
sha256 of the float32 model input of the whole committed CI subset
(golden/data/test_batch_first1000.bin) under each golden key set and for plain
images. golden/systemBTransforms.test.ts checks TypeScript against it byte for byte.

    /usr/bin/python3 golden/generate/system_b_vectors.py
"""
import hashlib
import platform
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from system_b_transforms import TRANSFORMS, model_input, read_key, read_key_list, transform_unit  # noqa: E402
from torch_vectors import tensor_json, write_vectors  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def f32_hex(t):
    return t.contiguous().numpy().astype("<f4").tobytes().hex()


def main():
    gen = torch.Generator().manual_seed(20210531)
    tests = []
    tc = 0
    every_value = (torch.arange(16 * 16 * 3) % 256).to(torch.uint8).reshape(1, 3, 16, 16)
    for transform in TRANSFORMS:
        keys = [("golden key set", read_key(ROOT / f"golden/system-b/{transform}.json", transform))]
        wrong = read_key_list(ROOT / f"golden/system-b/wrong-keys-{transform}.json", transform)
        keys += [(f"wrong key set {i} of golden/system-b/wrong-keys-{transform}.json", wrong[i]) for i in range(2)]
        for which, key in keys:
            for name, x in [("two random 8x8 images", torch.randint(0, 256, (2, 3, 8, 8), generator=gen, dtype=torch.int64).to(torch.uint8)),
                            ("one 16x16 image holding 0..255 cyclically: every value at many block positions", every_value)]:
                tc += 1
                out = transform_unit(x, key)
                mi = model_input(x, key)
                tests.append({
                    "tcId": tc,
                    "comment": f"{transform}, {which}, {name}",
                    "transform": transform,
                    "key": key,
                    "pixels": tensor_json(x, "NCHW"),
                    "output": {"domain": "uint8" if transform == "shuffle" else "unit", "values": out.flatten().tolist()},
                    "modelInputFloat32Hex": f32_hex(mi),
                })
    raw = (ROOT / "golden/data/test_batch_first1000.bin").read_bytes()
    arr = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3073)
    ci = torch.from_numpy(arr[:, 1:].reshape(-1, 3, 32, 32).copy())
    digests = {"plain": hashlib.sha256(model_input(ci, None).numpy().astype("<f4").tobytes()).hexdigest()}
    for transform in TRANSFORMS:
        key = read_key(ROOT / f"golden/system-b/{transform}.json", transform)
        digests[transform] = hashlib.sha256(model_input(ci, key).numpy().astype("<f4").tobytes()).hexdigest()
    out = {
        "algorithm": "System B block-wise transforms (shuffle, negative/positive, FFX as pyffx) at M = 4 and their float32 model input",
        "provenance": {"generator": "golden/generate/system_b_vectors.py", "torch": torch.__version__, "python": platform.python_version(), "seed": 20210531},
        "notes": "output.values: the transform in its own domain (8-bit for shuffle; float64 in [0,1] for negpos and ffx, exact as JSON numbers). "
                 "modelInputFloat32Hex: the model input, little-endian float32, NCHW. ciSubsetModelInputSha256: sha256 of the float32 model input "
                 "of the 1000 images of golden/data/test_batch_first1000.bin (NCHW) under the golden key set of each transform, and of plain images.",
        "numberOfTests": len(tests),
        "tests": tests,
        "ciSubsetModelInputSha256": digests,
    }
    write_vectors("system-b-transforms.json", out)


if __name__ == "__main__":
    main()
