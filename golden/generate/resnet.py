"""The CIFAR ResNet-18 of System B (MaungMaung & Kiya 2021), shared by the System B generators.

The CIFAR variant the authors' code uses (after kuangliu/pytorch-cifar): 3x3
stride-1 stem conv, no max-pool, four stages of BasicBlocks with w, 2w, 4w, 8w
channels (w = 64 for ResNet-18), a 1x1 conv + BatchNorm shortcut when the
shape changes, global average pooling, linear. State-dict names: conv1.weight,
bn1.*, layer{s}.{b}.conv1.weight, .bn1.*, .conv2.weight, .bn2.*,
.shortcut.0.weight, .shortcut.1.*, linear.weight, linear.bias -- the names
cipherpatch's src/model/resnet.ts reads. The pooling is adaptive (a mean over
the whole map), which equals the original avg_pool2d(out, 4) on 32x32 inputs.
"""
import torch.nn.functional as F
from torch import nn


class BasicBlock(nn.Module):
    def __init__(self, inp, out, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inp, out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out)
        self.conv2 = nn.Conv2d(out, out, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out)
        self.shortcut = nn.Sequential()
        if stride != 1 or inp != out:
            self.shortcut = nn.Sequential(nn.Conv2d(inp, out, 1, stride=stride, bias=False), nn.BatchNorm2d(out))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + self.shortcut(x))


class ResNet(nn.Module):
    def __init__(self, width=64, blocks=(2, 2, 2, 2), channels=3, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, width, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        inp = width
        for s, n in enumerate(blocks):
            out = width * 2 ** s
            layers = []
            for b in range(n):
                stride = 2 if (b == 0 and s > 0) else 1
                layers.append(BasicBlock(inp, out, stride))
                inp = out
            setattr(self, f"layer{s + 1}", nn.Sequential(*layers))
        self.linear = nn.Linear(width * 8, classes)

    def forward(self, x):
        z = F.relu(self.bn1(self.conv1(x)))
        z = self.layer4(self.layer3(self.layer2(self.layer1(z))))
        z = F.adaptive_avg_pool2d(z, 1).flatten(1)
        return self.linear(z)


def resnet18(width=64, classes=10, channels=3):
    return ResNet(width, (2, 2, 2, 2), channels, classes)
