#!/usr/bin/env python3
"""SGD 试验 "momentum" / ": a run of MNIST Lab as a PyTorch program.

MNIST Lab trained the seed's SimpleCNN in the browser with the recipe below.
The app measured no test accuracy for these weights (a run stopped or still training, an import, or initial weights), so there is none to compare with.
This script is that run in PyTorch (1.13 or later): the same network, recipe, training loop and printout.

    python3 sgd-试验-momentum.py                                        # train it here, printing each epoch as the seed does
    python3 sgd-试验-momentum.py --weights sgd-试验-momentum.safetensors  # test the weights the app exported
    python3 sgd-试验-momentum.py --save trained.safetensors             # train, then save the weights for the app's Import

MNIST is read from raw IDX files (train-images-idx3-ubyte and the other three, gzipped or not) in
--data DIR or DIR/MNIST/raw; without them torchvision downloads it into DIR, as the seed does.
"""
import argparse
import gzip
import json
import os
import struct

import torch
from torch import nn, optim
from torch.utils.data import DataLoader, Subset, TensorDataset

# The recipe, as the app has it for run "run-1733400000002".
EPOCHS = 10
BATCH_SIZE = 64
LEARNING_RATE = 0.05
WEIGHT_DECAY = 0.0
STEP_SIZE = 3  # StepLR: every STEP_SIZE epochs the learning rate is multiplied by GAMMA
GAMMA = 0.1
DROPOUT = 0.5
# Seeds PyTorch's own initial weights, shuffle and dropout: a run here follows the app's in distribution,
# not number for number.
SEED = 42
TRAIN_IMAGES = 60000  # the first TRAIN_IMAGES training images
TEST_IMAGES = 10000  # the first TEST_IMAGES test images
MEAN, STD = 0.1307, 0.3081  # each pixel becomes (pixel / 255 - 0.1307) / 0.3081

device = "cuda:0" if torch.cuda.is_available() else "cpu"


class SimpleCNN(nn.Module):
    """The seed's network: three 3×3 conv + ReLU + 2×2 max-pool blocks, then two dense layers."""

    def __init__(self, dropout=0.25):
        super(SimpleCNN, self).__init__()
        # 1 input channel (gray), 32 feature maps, 3×3 kernels; padding=1 keeps the map's size.
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.conv3 = nn.Conv2d(64, 128, 3, padding=1)
        # 2×2 max-pooling with stride 2 halves each side of the map.
        self.pool = nn.MaxPool2d(2)
        self.dropout = nn.Dropout(dropout)
        # 28 -> 14 -> 7 -> 3, so fc1 reads 3 * 3 * 128 values.
        self.fc1 = nn.Linear(3 * 3 * 128, 256)
        self.fc2 = nn.Linear(256, 10)

    def forward(self, x):
        # x: [batch, 1, 28, 28], normalized
        x = torch.relu(self.conv1(x))
        x = self.pool(x)  # 28 -> 14
        x = torch.relu(self.conv2(x))
        x = self.pool(x)  # 14 -> 7
        x = torch.relu(self.conv3(x))
        x = self.pool(x)  # 7 -> 3
        x = torch.flatten(x, 1)
        x = self.dropout(x)
        x = torch.relu(self.fc1(x))
        x = self.dropout(x)
        x = self.fc2(x)
        return x


def make_optimizer(model):
    # SGD with momentum (dampening 0, not Nesterov); the weight decay is added to the gradient.
    return optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=0.9, weight_decay=WEIGHT_DECAY)


def read_idx(path):
    """An IDX file (MNIST's format: two zero bytes, the type, the rank, the sizes, then the values) as a tensor."""
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        data = f.read()
    rank = data[3]
    shape = struct.unpack(f">{rank}I", data[4:4 + 4 * rank])
    return torch.frombuffer(bytearray(data[4 + 4 * rank:]), dtype=torch.uint8).reshape(shape)


def find_idx(data_dir, name):
    for folder in (data_dir, os.path.join(data_dir, "MNIST", "raw")):
        for path in (os.path.join(folder, name), os.path.join(folder, name + ".gz")):
            if os.path.exists(path):
                return path
    return None


def mnist(data_dir, train, count):
    """The first `count` images of MNIST's training or test set, normalized, with their labels."""
    split = "train" if train else "t10k"
    images_path = find_idx(data_dir, f"{split}-images-idx3-ubyte")
    labels_path = find_idx(data_dir, f"{split}-labels-idx1-ubyte")
    if images_path and labels_path:
        # What transforms.ToTensor() and transforms.Normalize((MEAN,), (STD,)) do, on the whole set at once.
        images = read_idx(images_path)[:count].unsqueeze(1).float().div(255).sub(MEAN).div(STD)
        labels = read_idx(labels_path)[:count].long()
        return TensorDataset(images, labels)
    from torchvision import datasets, transforms

    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((MEAN,), (STD,))])
    data = datasets.MNIST(root=data_dir, train=train, download=True, transform=transform)
    return Subset(data, range(min(count, len(data))))


# How safetensors names the dtypes (the app writes F32, and I64 for BatchNorm's counters).
SAFETENSORS_DTYPES = {
    "F64": torch.float64,
    "F32": torch.float32,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "I64": torch.int64,
}


def load_safetensors(path):
    """The tensors in a .safetensors file: an 8-byte little-endian header length, a JSON header, the data."""
    try:
        from safetensors.torch import load_file
    except ImportError:
        pass
    else:
        return load_file(path)
    with open(path, "rb") as f:
        data = f.read()
    (header_length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_length])
    start = 8 + header_length
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        values = torch.frombuffer(bytearray(data[start + begin:start + end]), dtype=SAFETENSORS_DTYPES[info["dtype"]])
        tensors[name] = values.reshape(info["shape"])
    return tensors


def save_safetensors(state_dict, path):
    """Writes a state_dict as a .safetensors file (float32 weights, int64 counters)."""
    tensors = {name: tensor.detach().cpu().contiguous() for name, tensor in state_dict.items()}
    try:
        from safetensors.torch import save_file
    except ImportError:
        pass
    else:
        return save_file(tensors, path)
    header, chunks, offset = {}, [], 0
    for name, tensor in tensors.items():
        dtype = "F32" if tensor.is_floating_point() else "I64"
        chunk = tensor.to(SAFETENSORS_DTYPES[dtype]).numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(tensor.shape), "data_offsets": [offset, offset + len(chunk)]}
        chunks.append(chunk)
        offset += len(chunk)
    header_bytes = json.dumps(header).encode()
    header_bytes += b" " * (-len(header_bytes) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)) + header_bytes + b"".join(chunks))


def test_accuracy(model, test_loader):
    """The percentage of test images the model classifies correctly, dropout off."""
    model.eval()
    correct_test = 0
    total_test = 0
    with torch.no_grad():
        for inputs, labels in test_loader:
            inputs, labels = inputs.to(device), labels.to(device)
            outputs = model(inputs)
            _, predicted = torch.max(outputs, 1)
            total_test += labels.size(0)
            correct_test += (predicted == labels).sum().item()
    return 100 * correct_test / total_test


def train_model(model, train_loader, test_loader, epochs):
    """The seed's training loop and printout, with the run's optimizer and StepLR; returns the last test accuracy."""
    criterion = nn.CrossEntropyLoss()
    optimizer = make_optimizer(model)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=STEP_SIZE, gamma=GAMMA)
    for epoch in range(epochs):
        # train() turns dropout on; test_accuracy's eval() turns it off.
        model.train()
        running_loss = 0.0
        correct_train = 0
        total_train = 0
        for inputs, labels in train_loader:
            inputs, labels = inputs.to(device), labels.to(device)
            optimizer.zero_grad()
            outputs = model(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            _, predicted = torch.max(outputs, 1)
            total_train += labels.size(0)
            correct_train += (predicted == labels).sum().item()
        avg_loss = running_loss / len(train_loader)
        train_acc = 100 * correct_train / total_train
        test_acc = test_accuracy(model, test_loader)
        print(f"Epoch {epoch + 1}/{epochs}")
        print(f" Loss: {avg_loss:.4f}, Train Acc: {train_acc:.2f}%, Test Acc: {test_acc:.2f}%")
        print(f" Learning Rate: {scheduler.get_last_lr()[0]:.6f}")
        scheduler.step()
    return test_acc


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="./data", help="where MNIST is, or is downloaded to (default ./data)")
    parser.add_argument("--weights", metavar="PATH", help="test these weights (.safetensors) instead of training")
    parser.add_argument("--save", metavar="PATH", help="after training, save the weights here (.safetensors)")
    args = parser.parse_args()

    torch.manual_seed(SEED)
    print(f"Using device: {device}")
    test_data = mnist(args.data, train=False, count=TEST_IMAGES)
    test_loader = DataLoader(test_data, batch_size=BATCH_SIZE, shuffle=False, num_workers=2)
    model = SimpleCNN(dropout=DROPOUT).to(device)
    print(f"模型参数量: {sum(p.numel() for p in model.parameters() if p.requires_grad):,}")

    if args.weights:
        model.load_state_dict(load_safetensors(args.weights))
        print(f"Test Acc: {test_accuracy(model, test_loader):.2f}% on {len(test_data)} test images")
        return

    train_data = mnist(args.data, train=True, count=TRAIN_IMAGES)
    train_loader = DataLoader(train_data, batch_size=BATCH_SIZE, shuffle=True, num_workers=2)
    test_acc = train_model(model, train_loader, test_loader, EPOCHS)
    print(f"\n最终测试准确率: {test_acc:.2f}%")
    if args.save:
        save_safetensors(model.state_dict(), args.save)
        print(f"Saved the weights to {args.save}: load them in MNIST Lab with Import PyTorch weights.")


if __name__ == "__main__":
    main()
