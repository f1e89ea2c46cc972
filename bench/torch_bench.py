"""PyTorch reference for `npm run bench`: trains the workbench's architectures on random data.

The models mirror src-main/catalog/models/builders.ts (width 1): LeNet-5 (conv/dense + BN + ReLU, max-pooling),
CIFAR VGG-11 (3x3 conv without bias + BN + ReLU, 2x2 max-pooling, global average pooling, linear) and
ResNet-20 with option-A shortcuts. One step = forward, cross-entropy, backward, SGD update, exactly
what the tfjs bench times. Prints one JSON object on stdout.

Usage: python3 torch_bench.py --arch resnet20 --batch 64 --threads 1 --warmup 1 --steps 5
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNet5(nn.Module):
    """As builders.ts: BN after every hidden conv and dense layer (those layers have no bias)."""

    def __init__(self, classes):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2, bias=False), nn.BatchNorm2d(6), nn.ReLU())
        self.conv2 = nn.Sequential(nn.Conv2d(6, 16, 5, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.fc1 = nn.Sequential(nn.Linear(16 * 5 * 5, 120, bias=False), nn.BatchNorm1d(120), nn.ReLU())
        self.fc2 = nn.Sequential(nn.Linear(120, 84, bias=False), nn.BatchNorm1d(84), nn.ReLU())
        self.classifier = nn.Linear(84, classes)

    def forward(self, x):
        x = F.max_pool2d(self.conv1(x), 2)
        x = F.max_pool2d(self.conv2(x), 2)
        return self.classifier(self.fc2(self.fc1(torch.flatten(x, 1))))


class VGG11(nn.Module):
    def __init__(self, classes):
        super().__init__()
        layers, c = [], 3
        for item in [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M']:
            if item == 'M':
                layers.append(nn.MaxPool2d(2))
            else:
                layers += [nn.Conv2d(c, item, 3, padding=1, bias=False), nn.BatchNorm2d(item), nn.ReLU()]
                c = item
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(512, classes)

    def forward(self, x):
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(self.features(x), 1), 1))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.stride, self.pad = stride, (cout - cin) // 2
        self.project = stride != 1 or cin != cout

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        shortcut = x
        if self.project:  # option A: strided identity, zero-padded channels
            shortcut = F.pad(x[:, :, ::self.stride, ::self.stride], (0, 0, 0, 0, self.pad, self.pad))
        return F.relu(out + shortcut)


class ResNet20(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        blocks, cin = [], 16
        for stage, c in enumerate([16, 32, 64]):
            for b in range(3):
                blocks.append(BasicBlock(cin, c, 2 if stage > 0 and b == 0 else 1))
                cin = c
        self.blocks = nn.Sequential(*blocks)
        self.classifier = nn.Linear(64, classes)

    def forward(self, x):
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(self.blocks(self.stem(x)), 1), 1))


MODELS = {'lenet5': (LeNet5, (1, 28, 28)), 'vgg11': (VGG11, (3, 32, 32)), 'resnet20': (ResNet20, (3, 32, 32))}


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--arch', required=True, choices=sorted(MODELS))
    p.add_argument('--batch', type=int, default=64)
    p.add_argument('--classes', type=int, default=10)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--steps', type=int, default=5)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    cls, shape = MODELS[a.arch]
    model = cls(a.classes).train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(a.batch, *shape)
    y = torch.randint(0, a.classes, (a.batch,))

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(a.warmup):
        step()
    times, cpu = [], []
    for _ in range(a.steps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    median = statistics.median(times)
    print(json.dumps({
        'framework': 'pytorch', 'version': torch.__version__, 'arch': a.arch, 'batch': a.batch,
        'threads': torch.get_num_threads(), 'stepMs': [t * 1000 for t in times], 'medianStepMs': median * 1000,
        'imagesPerSec': a.batch / median, 'medianCpuMsPerStep': statistics.median(cpu) * 1000,
        'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == '__main__':
    main()
