"""A small PyTorch autoencoder as a segharness-external/1 detector.

An MLP  features -> hidden -> bottleneck -> hidden -> features  (ReLU after
the two hidden layers, linear bottleneck and output) learns to reconstruct
the training rows with Adam on the mean squared error.  A row's score is
its mean squared reconstruction error (higher = more anomalous); the
decision flags the rows whose error exceeds the (1 - contamination)
quantile of the errors of the rows it trained on.

params (all optional):
  hidden         16        units of the two hidden layers
  bottleneck     4         units of the code layer
  epochs         30        passes over the training rows
  batch_size     256       rows per Adam step
  lr             0.001     Adam's learning rate
  train_on       "normal"  "normal": the normal training rows only
                           (semi-supervised); "all": every training row,
                           labels unused (unsupervised)
  contamination  0.01      in (0, 1): the share of its own training rows the
                           threshold flags

Determinism: torch.manual_seed(request["seed"]) seeds the weights, a
generator seeded the same way shuffles the batches, and
torch.use_deterministic_algorithms(True) is on; the same request gives the
same bytes.

Threads: torch runs on min(request["threads"], MAX_THREADS) threads, and
MAX_THREADS is 1.  With Debian's torch 1.13 (generic BLAS, OpenMP) the
answers were bit-identical with 1, 2, 4 and 8 intra-op threads, so the cap
is not needed for determinism there (other builds, with MKL or oneDNN, may
sum in a thread-dependent order; the cap makes that moot).  It is there
for speed: this network's matrices are too small to share, and OpenMP's
barriers cost more than they save -- on 100,000 x 41 training rows with
the defaults, 1 thread took 7-11 s and 2 threads 23-90 s on a 2-core
machine busy with other work.  Raise MAX_THREADS only for a much wider
network, and rerun test_adapters.py, which compares threads 1 and 2.
"""

import os
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ beside the adapters
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import protocol  # noqa: E402

ROLES = ("detector",)
MAX_THREADS = 1  # see the module's docstring: faster, and thread-count-proof
EVAL_CHUNK = 65536  # rows scored per forward pass: bounds memory, fixed so results do not depend on it

PARAMS = {
    # name: (default, type, check, what the check demands)
    "hidden": (16, int, lambda v: v >= 1, "a positive integer"),
    "bottleneck": (4, int, lambda v: v >= 1, "a positive integer"),
    "epochs": (30, int, lambda v: v >= 1, "a positive integer"),
    "batch_size": (256, int, lambda v: v >= 1, "a positive integer"),
    "lr": (1e-3, float, lambda v: v > 0, "a positive number"),
    "train_on": ("normal", str, lambda v: v in ("normal", "all"), '"normal" or "all"'),
    "contamination": (0.01, float, lambda v: 0 < v < 1, "a number in (0, 1)"),
}


def read_params(request):
    """The params with their defaults, each checked; unknown names fail."""
    params = request["params"]
    protocol.reject_unknown_params(params, PARAMS)
    return {name: protocol.typed_param(params, name, default, kind, check, describe)
            for name, (default, kind, check, describe) in PARAMS.items()}


def build_model(n_features, hidden, bottleneck):
    """The encoder-decoder MLP."""
    from torch import nn

    return nn.Sequential(
        nn.Linear(n_features, hidden), nn.ReLU(),
        nn.Linear(hidden, bottleneck),
        nn.Linear(bottleneck, hidden), nn.ReLU(),
        nn.Linear(hidden, n_features),
    )


def train(model, x, p, seed):
    """Adam on the mean squared reconstruction error, batches shuffled by a seeded generator."""
    import torch
    from torch.utils.data import BatchSampler, DataLoader, RandomSampler, TensorDataset

    data = TensorDataset(torch.from_numpy(x))
    generator = torch.Generator()
    generator.manual_seed(seed)
    # Whole batches are drawn at once (batch_size=None, a BatchSampler as the
    # sampler): TensorDataset indexes a list of rows in one step, far faster
    # than collating rows one by one.
    batches = BatchSampler(RandomSampler(data, generator=generator), p["batch_size"], drop_last=False)
    loader = DataLoader(data, sampler=batches, batch_size=None)
    optimiser = torch.optim.Adam(model.parameters(), lr=p["lr"])
    loss_fn = torch.nn.MSELoss()
    model.train()
    for epoch in range(p["epochs"]):
        total = 0.0
        for (batch,) in loader:
            optimiser.zero_grad()
            loss = loss_fn(model(batch), batch)
            loss.backward()
            optimiser.step()
            total += loss.item() * batch.shape[0]
        if not np.isfinite(total):
            protocol.fail(f"training diverged at epoch {epoch + 1} (loss {total}); lower params.lr")
    model.eval()


def reconstruction_error(model, x):
    """Mean squared reconstruction error of each row of x (float32), as float64."""
    import torch

    out = np.empty(x.shape[0], dtype=np.float64)
    with torch.no_grad():
        for start in range(0, x.shape[0], EVAL_CHUNK):
            rows = torch.from_numpy(x[start:start + EVAL_CHUNK])
            diff = model(rows).double() - rows.double()
            out[start:start + EVAL_CHUNK] = (diff * diff).mean(dim=1).numpy()
    return out


def main():
    request = protocol.read_request(roles=ROLES)
    p = read_params(request)

    import torch

    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(min(request["threads"], MAX_THREADS))
    torch.set_num_interop_threads(1)
    seed = request["seed"]  # below 2^64, as torch.manual_seed accepts
    torch.manual_seed(seed)

    x = protocol.load_x(request, "train")
    if p["train_on"] == "normal":
        x = x[protocol.load_labels(request, "train", "is_anomaly") == 0]
        if x.shape[0] == 0:
            protocol.fail('the training rows hold no normal row; use params.train_on: "all"')
    if x.shape[0] == 0:
        protocol.fail("the request has no training rows")
    x = np.ascontiguousarray(x, dtype=np.float32)

    model = build_model(x.shape[1], p["hidden"], p["bottleneck"])
    train(model, x, p, seed)
    threshold = np.quantile(reconstruction_error(model, x), 1 - p["contamination"])

    def score(part):
        return reconstruction_error(model, np.ascontiguousarray(protocol.load_x(request, part), dtype=np.float32))

    test = score("test")
    validation = score("validation") if "validation" in request else None
    protocol.save_detector(request, test, test > threshold, validation)


if __name__ == "__main__":
    main()
