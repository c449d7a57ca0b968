"""The reference ConvMixer (nn.Sequential layout, as in locuslab/convmixer), shared by the generators.

State-dict names: 0.* stem conv, 2.* stem BatchNorm, (3+l).0.fn.0.* depthwise conv,
(3+l).0.fn.2.* its BatchNorm, (3+l).1.* pointwise conv, (3+l).3.* its BatchNorm,
(5+depth).* the linear head. This is the layout cipherpatch's engines read.
"""
from torch import nn


class Residual(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x) + x


def conv_mixer(dim, depth, kernel, patch, channels=3, classes=10):
    return nn.Sequential(
        nn.Conv2d(channels, dim, kernel_size=patch, stride=patch),
        nn.GELU(),
        nn.BatchNorm2d(dim),
        *[
            nn.Sequential(
                Residual(nn.Sequential(nn.Conv2d(dim, dim, kernel, groups=dim, padding="same"), nn.GELU(), nn.BatchNorm2d(dim))),
                nn.Conv2d(dim, dim, kernel_size=1),
                nn.GELU(),
                nn.BatchNorm2d(dim),
            )
            for _ in range(depth)
        ],
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten(),
        nn.Linear(dim, classes),
    )
