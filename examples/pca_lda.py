"""PCA and LDA with torch.linalg (the tutorial's §11 as a program).

Three Gaussian classes in 4-D are generated here.  PCA is computed twice: from the
eigen-decomposition of the covariance matrix (``torch.linalg.eigh``) and from the SVD of the
centred data (``torch.linalg.svd``); both give the same explained variance ratios.  LDA finds
the directions that best separate the classes from the between-class and within-class scatter
matrices (the generalized eigenproblem S_w^-1 S_b).  With matplotlib installed a scatter plot of
both 2-D projections is saved (``--out``, default: a file in the temp directory).

Runs unchanged with ``import torch`` in place of ``import torchlike as torch``.
"""

from __future__ import annotations

import argparse
import os
import tempfile

import torchlike as torch


def make_data(n_per_class: int = 60):
    """Three anisotropic Gaussian classes in 4-D; labels 0, 1, 2."""
    torch.manual_seed(0)
    means = torch.tensor([[0.0, 0.0, 0.0, 0.0], [3.0, 1.0, 0.0, -1.0], [0.0, 3.0, 1.0, 1.0]])
    mix = torch.tensor([[1.0, 0.4, 0.0, 0.0], [0.0, 0.8, 0.3, 0.0], [0.0, 0.0, 0.5, 0.2],
                        [0.0, 0.0, 0.0, 0.3]])
    xs, ys = [], []
    for k in range(3):
        xs.append(torch.randn(n_per_class, 4) @ mix + means[k])
        ys.append(torch.full((n_per_class,), k, dtype=torch.long))
    return torch.cat(xs), torch.cat(ys)


def pca_eigh(x):
    """Principal axes and variances from the covariance matrix's eigen-decomposition."""
    xc = x - x.mean(dim=0)
    cov = xc.T @ xc / (x.shape[0] - 1)
    evals, evecs = torch.linalg.eigh(cov)  # ascending
    order = torch.argsort(evals, descending=True)
    return evals[order], evecs[:, order]


def pca_svd(x):
    """The same from the SVD of the centred data: variances are S^2 / (n - 1)."""
    xc = x - x.mean(dim=0)
    _, s, vh = torch.linalg.svd(xc, full_matrices=False)
    return s ** 2 / (x.shape[0] - 1), vh.T


def lda(x, y, n_classes: int = 3):
    """Fisher's LDA: eigenvectors of S_w^-1 S_b, sorted by discriminant power."""
    mean = x.mean(dim=0)
    d = x.shape[1]
    s_w = torch.zeros(d, d)
    s_b = torch.zeros(d, d)
    for k in range(n_classes):
        xk = x[y == k]
        mk = xk.mean(dim=0)
        diff = xk - mk
        s_w += diff.T @ diff
        dm = (mk - mean).reshape(d, 1)
        s_b += xk.shape[0] * (dm @ dm.T)
    evals, evecs = torch.linalg.eig(torch.linalg.solve(s_w, s_b))
    evals, evecs = evals.real, evecs.real
    order = torch.argsort(evals, descending=True)
    return evals[order], evecs[:, order]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "pca_lda.png"),
                        help="where to save the scatter plot (needs matplotlib)")
    args = parser.parse_args()

    x, y = make_data()
    print(f"data: {tuple(x.shape)} samples x features, classes {torch.bincount(y).tolist()}")

    var_e, axes_e = pca_eigh(x)
    var_s, axes_s = pca_svd(x)
    ratio_e = var_e / var_e.sum()
    ratio_s = var_s / var_s.sum()
    print("PCA (eigh of covariance) explained variance ratio:",
          [round(v, 4) for v in ratio_e.tolist()])
    print("PCA (SVD of centred data) explained variance ratio:",
          [round(v, 4) for v in ratio_s.tolist()])
    print(f"  max difference between the two: {float((ratio_e - ratio_s).abs().max()):.2e}")
    # Axes agree up to sign: |cos| between matching principal axes is 1.
    cosines = (axes_e * axes_s).sum(dim=0).abs()
    print("  |cos| between matching axes:", [round(v, 4) for v in cosines.tolist()])
    print(f"  first two components keep {float(ratio_e[:2].sum()):.1%} of the variance")

    lda_vals, lda_axes = lda(x, y)
    disc = lda_vals.clamp(min=0)
    print("LDA discriminant ratio (eigenvalues of S_w^-1 S_b, normalised):",
          [round(v, 4) for v in (disc / disc.sum()).tolist()])
    print("  (3 classes give at most 2 non-zero discriminants)")

    xc = x - x.mean(dim=0)
    z_pca = xc @ axes_e[:, :2]
    z_lda = xc @ lda_axes[:, :2]

    # Nearest class mean in each 2-D projection, as a quick measure of separation.
    for name, z in (("PCA", z_pca), ("LDA", z_lda)):
        means = torch.stack([z[y == k].mean(dim=0) for k in range(3)])
        pred = torch.cdist(z, means).argmin(dim=1)
        print(f"{name} 2-D nearest-mean accuracy: {float((pred == y).float().mean()):.3f}")

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot saved")
        return
    fig, axs = plt.subplots(1, 2, figsize=(9, 4))
    for ax, z, title in ((axs[0], z_pca, "PCA"), (axs[1], z_lda, "LDA")):
        for k in range(3):
            pts = z[y == k].numpy()
            ax.scatter(pts[:, 0], pts[:, 1], s=10, label=f"class {k}")
        ax.set_title(title)
        ax.legend()
    fig.tight_layout()
    fig.savefig(args.out)
    print(f"plot saved to {args.out}")


if __name__ == "__main__":
    main()
