"""Watching a training run in TensorBoard and visdom (the tutorial's §22), written as for PyTorch.

Trains a small classifier on two noisy blobs and logs to TensorBoard the loss every step,
weight and gradient histograms, a text note, the hyperparameters, the model graph, a
matplotlib figure of the data and the first layer's weights as an image. When a visdom
server is reachable it also draws a live loss curve (``update='append'``), a heatmap and a
histogram of the first layer's weights. torchlike Tensors go to both as they are.

Run: python examples/visualize.py [--logdir DIR] [--steps N] [--visdom-port P]
then ``tensorboard --logdir DIR`` (and ``python -m visdom.server -port P`` for visdom).
Needs ``pip install 'torchlike[tensorboard,plot]'`` (and ``torchlike[visdom]`` for visdom).
"""

from __future__ import annotations

import argparse
import socket
import tempfile

import torchlike as torch
from torchlike import nn
from torchlike.utils.tensorboard import SummaryWriter


def make_data(n: int = 64):
    torch.manual_seed(0)
    labels = torch.arange(n) % 2
    centers = torch.tensor([[-1.0, 0.0], [1.0, 0.5]])
    x = centers[labels] + 0.4 * torch.randn(n, 2)
    return x, labels


def connect_visdom(port: int | None):
    """A visdom client if a server answers on `port`, else None."""
    if port is None:
        return None
    try:
        import visdom
    except ImportError:
        print("visdom is not installed (pip install 'torchlike[visdom]'); skipping visdom")
        return None
    try:  # a plain TCP probe first: the visdom client retries noisily when nobody listens
        socket.create_connection(("localhost", port), timeout=2).close()
    except OSError:
        print(f"no visdom server on port {port}; skipping visdom")
        return None
    return visdom.Visdom(port=port, raise_exceptions=True, use_incoming_socket=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--logdir", default=None, help="TensorBoard log dir (default: a temp dir)")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--visdom-port", type=int, default=None)
    args = ap.parse_args()
    logdir = args.logdir or tempfile.mkdtemp(prefix="torchlike-runs-")

    x, y = make_data()
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    loss_fn = nn.CrossEntropyLoss()
    vis = connect_visdom(args.visdom_port)

    with SummaryWriter(log_dir=logdir) as writer:
        writer.add_graph(model, x)
        writer.add_text("setup", f"SGD lr=0.5, {args.steps} steps, {len(x)} points")
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
            fig = plt.figure(figsize=(2, 2), dpi=50)
            plt.scatter(x[:, 0], x[:, 1], c=y, s=4)  # matplotlib takes Tensors via __array__
            writer.add_figure("data", fig)
        except ImportError:
            print("matplotlib is not installed; no figure logged")

        for step in range(args.steps):
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            writer.add_scalar("train/loss", loss, step)
            if vis is not None:
                vis.line(loss.reshape(1), torch.tensor([step]), win="loss", update="append",
                         opts={"title": "train loss"})
        for name, p in model.named_parameters():
            writer.add_histogram(name, p, args.steps)
            writer.add_histogram(name + ".grad", p.grad, args.steps)
        if vis is not None:
            vis.heatmap(model[0].weight, win="w0", opts={"title": "layer 0 weight"})
            vis.histogram(model[0].weight.reshape(-1), win="w0hist",
                          opts={"title": "layer 0 weights", "numbins": 8})
        acc = (model(x).argmax(1) == y).float().mean()
        writer.add_hparams({"lr": 0.5, "steps": args.steps}, {"hparam/accuracy": acc},
                           run_name="hparams")
        # The first layer's weights as a small gray image (out_features x in_features).
        w = model[0].weight.detach()
        writer.add_image("layer0/weight", (w - w.min()) / (w.max() - w.min()), args.steps,
                         dataformats="HW")
    print(f"final loss {loss.item():.4f}, accuracy {acc.item():.3f}; "
          f"logs in {logdir} (tensorboard --logdir {logdir})")


if __name__ == "__main__":
    main()
