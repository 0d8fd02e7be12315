"""Record torch's results for the linear algebra behaviour tests (tests/test_linalg.py).

Run with a Python that has real torch installed:

    python compat_tests/record/record_linalg.py

Each case is a small program (a code string run with ``torch`` bound to torch or torchlike)
that builds its inputs from numpy and stores results in ``out`` (name -> tensor / number /
string).  Results that torch defines only up to sign or phase (eigenvectors, singular vectors)
are stored as invariants (reconstructions, |v|^2).  Writes ``compat_tests/fixtures/linalg.npz``:
the JSON ``__meta__`` holds the code and, per value, an array name or a plain value.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "compat_tests" / "fixtures" / "linalg.npz"

PRELUDE = '''
def rnd(*shape, dtype="float64", seed=0):
    r = np.random.default_rng(seed)
    a = r.standard_normal(shape)
    if dtype.startswith("complex"):
        a = a + 1j * r.standard_normal(shape)
    return torch.tensor(a.astype(dtype))

def spd(n, batch=(), dtype="float64", seed=0):
    a = rnd(*batch, n, n, dtype=dtype, seed=seed)
    return a @ a.mH + n * torch.eye(n, dtype=a.dtype)

def herm(n, dtype="float64", seed=0):
    a = rnd(n, n, dtype=dtype, seed=seed)
    return a + a.mH

def err(fn):
    try:
        fn()
    except Exception as e:
        return type(e).__name__ + ": " + str(e).splitlines()[0]
    return "no error"
'''

CASES = {
    # inverses, determinants
    "inv_batched": "A = rnd(2, 3, 3); out = {'inv': torch.linalg.inv(A), 'inverse': A.inverse()}",
    "inv_complex": "A = rnd(3, 3, dtype='complex128'); out = {'inv': torch.linalg.inv(A)}",
    "inv_ex_singular": ("A = torch.tensor([[[1., 2., 3.], [2., 4., 6.], [0., 0., 1.]], "
                        "[[1., 0., 0.], [0., 2., 0.], [0., 0., 3.]]], dtype=torch.float64)\n"
                        "r = torch.linalg.inv_ex(A); out = {'info': r.info, 'fields': "
                        "str(type(r).__name__)}"),
    "inv_error": ("A = torch.tensor([[1., 2., 3.], [2., 4., 6.], [0., 0., 1.]])\n"
                  "out = {'msg': err(lambda: torch.linalg.inv(A)), 'is_linalg_error': "
                  "str(isinstance(_catch(lambda: torch.linalg.inv(A)), torch.linalg.LinAlgError) "
                  "and isinstance(_catch(lambda: torch.linalg.inv(A)), RuntimeError))}"),
    "inv_batch_error": ("A = torch.stack([torch.eye(2), torch.zeros(2, 2)])\n"
                        "out = {'msg': err(lambda: torch.linalg.inv(A))}"),
    "det_family": ("A = rnd(2, 4, 4); C = rnd(3, 3, dtype='complex128', seed=1)\n"
                   "s, l = torch.linalg.slogdet(A)\n"
                   "out = {'det': torch.det(A), 'sign': s, 'logabs': l, 'logdet': torch.logdet(A),"
                   " 'cdet': torch.linalg.det(C), 'csign': torch.linalg.slogdet(C).sign,"
                   " 'singular': torch.linalg.slogdet(torch.zeros(2, 2)).logabsdet}"),
    # solves
    "solve_broadcast": ("A = rnd(2, 3, 3); b = rnd(3, seed=1); B = rnd(2, 3, 2, seed=2)\n"
                        "Bt = rnd(1, 4, 3, seed=3)\n"
                        "out = {'vec': torch.linalg.solve(A, b), 'mat': torch.linalg.solve(A, B),"
                        " 'right': torch.linalg.solve(A, Bt, left=False)}"),
    "solve_complex": ("A = rnd(3, 3, dtype='complex128'); B = rnd(3, 2, dtype='complex128', "
                      "seed=1)\nout = {'x': torch.linalg.solve(A, B)}"),
    "solve_ex_singular": ("A = torch.zeros(2, 3, 3, dtype=torch.float64); A[0] = torch.eye(3)\n"
                          "r = torch.linalg.solve_ex(A, torch.ones(2, 3, 1, dtype=torch.float64))\n"
                          "out = {'info': r.info, 'msg': err(lambda: torch.linalg.solve(A[1], "
                          "torch.ones(3, dtype=torch.float64)))}"),
    "solve_triangular": ("A = rnd(3, 3).triu() + 3 * torch.eye(3, dtype=torch.float64); "
                         "B = rnd(2, 3, 2, seed=1); C = rnd(2, 3, seed=2)\n"
                         "out = {'up': torch.linalg.solve_triangular(A, B, upper=True),"
                         " 'right': torch.linalg.solve_triangular(A.mT, C, upper=False, "
                         "left=False),"
                         " 'unit': torch.linalg.solve_triangular(A, B, upper=True, "
                         "unitriangular=True)}\n"
                         "r = torch.triangular_solve(B, A, transpose=True)\n"
                         "out['legacy'] = r.solution; out['coef'] = r.cloned_coefficient"),
    # cholesky
    "cholesky": ("A = spd(3, (2,)); C = spd(3, dtype='complex128', seed=1)\n"
                 "out = {'L': torch.linalg.cholesky(A), 'U': torch.linalg.cholesky(A, upper=True),"
                 " 'CL': torch.linalg.cholesky(C), 'legacy': torch.cholesky(A, upper=True),"
                 " 'solve': torch.cholesky_solve(rnd(2, 3, 2, seed=3), torch.linalg.cholesky(A)),"
                 " 'inv': torch.cholesky_inverse(torch.linalg.cholesky(C, upper=True), "
                 "upper=True)}"),
    "cholesky_ex_info": ("A = torch.tensor([[1., 2., 0.], [2., 1., 0.], [0., 0., 1.]])\n"
                         "out = {'info': torch.linalg.cholesky_ex(A).info,"
                         " 'msg': err(lambda: torch.linalg.cholesky(A))}"),
    # LU
    "lu": ("A = rnd(3, 5); B = rnd(5, 3, dtype='complex128', seed=1)\n"
           "LU, piv = torch.linalg.lu_factor(A); P, L, U = torch.linalg.lu(B)\n"
           "P2, L2, U2 = torch.lu_unpack(*torch.linalg.lu_factor(B))\n"
           "out = {'LU': LU, 'piv': piv, 'P': P, 'L': L, 'U': U, 'P2': P2, 'L2': L2, 'U2': U2}\n"
           "r = torch.lu(A, get_infos=True); out['info'] = r[2]"),
    "lu_solve": ("A = rnd(2, 3, 3, dtype='complex128'); B = rnd(2, 3, 2, dtype='complex128', "
                 "seed=1)\nLU, piv = torch.linalg.lu_factor(A)\n"
                 "out = {'x': torch.linalg.lu_solve(LU, piv, B), "
                 "'adj': torch.linalg.lu_solve(LU, piv, B, adjoint=True),"
                 " 'right': torch.linalg.lu_solve(LU, piv, B.mT, left=False),"
                 " 'legacy': torch.lu_solve(B, LU, piv)}"),
    # QR, eigen, SVD (invariants)
    "qr": ("A = rnd(5, 3); C = rnd(3, 4, dtype='complex128', seed=1)\n"
           "Q, R = torch.linalg.qr(A, mode='complete'); Qc, Rc = torch.linalg.qr(C)\n"
           "out = {'Q': Q, 'R': R, 'r_only': torch.linalg.qr(A, mode='r').R,"
           " 'q_empty': torch.linalg.qr(A, mode='r').Q, 'Qc': Qc, 'Rc': Rc,"
           " 'legacy': torch.qr(A, some=False).R}"),
    "eigh": ("A = herm(4, dtype='complex128'); B = rnd(2, 3, 3, seed=1)\n"
             "w, V = torch.linalg.eigh(A)\n"
             "out = {'w': w, 'absV2': V.abs() ** 2, 'wU': torch.linalg.eigvalsh(B, UPLO='U'),"
             " 'wL': torch.linalg.eigvalsh(B)}"),
    "eig": ("A = rnd(4, 4)\nw, V = torch.linalg.eig(A)\n"
            "out = {'absw': w.abs().sort().values, 'resid': (A.to(V.dtype) @ V - V * w).abs()"
            ".max(), 'vnorm': V.abs().pow(2).sum(-2), 'dtype': str(w.dtype),"
            " 'eigvals': torch.linalg.eigvals(A).abs().sort().values}"),
    "svd": ("A = rnd(4, 3, dtype='complex128'); B = rnd(2, 3, 5, seed=1)\n"
            "U, S, Vh = torch.linalg.svd(A, full_matrices=False)\n"
            "U2, S2, V2 = torch.svd(B)\n"
            "out = {'S': S, 'recon': (U * S.to(U.dtype)) @ Vh, 'Ushape': str(tuple("
            "torch.linalg.svd(A).U.shape)), 'legacy_recon': (U2 * S2.unsqueeze(-2)) @ V2.mT,"
            " 'V2shape': str(tuple(V2.shape)), 'vals': torch.linalg.svdvals(B),"
            " 'nouv': torch.svd(B, compute_uv=False).V}"),
    # pinv, rank, lstsq
    "pinv": ("A = rnd(4, 3); H = herm(3, seed=1); D = rnd(4, 2, seed=2) @ rnd(2, 3, seed=3)\n"
             "out = {'p': torch.linalg.pinv(A), 'h': torch.linalg.pinv(H, hermitian=True),"
             " 'lowrank': torch.linalg.pinv(D), 'atol': torch.linalg.pinv(A, atol=1.5),"
             " 'legacy': torch.pinverse(A)}"),
    "matrix_rank": ("D = rnd(4, 2, seed=2) @ rnd(2, 3, seed=3); A = rnd(2, 3, 3)\n"
                    "out = {'r': torch.linalg.matrix_rank(D), 'rb': torch.linalg.matrix_rank(A),"
                    " 'tol': torch.linalg.matrix_rank(A, atol=1.0, rtol=0.0),"
                    " 'h': torch.linalg.matrix_rank(A + A.mT, hermitian=True)}"),
    "lstsq": ("A = rnd(5, 3); B = rnd(5, 2, seed=1); W = rnd(3, 5, seed=2); C = rnd(3, 2, seed=3)\n"
              "out = {}\n"
              "for d in ('gels', 'gelsy', 'gelsd', 'gelss'):\n"
              "    r = torch.linalg.lstsq(A, B, driver=d)\n"
              "    out[d + '_x'] = r.solution; out[d + '_res'] = r.residuals\n"
              "    out[d + '_rank'] = r.rank; out[d + '_sv'] = r.singular_values\n"
              "    out[d + '_wide'] = torch.linalg.lstsq(W, C, driver=d).solution\n"
              "out['default'] = torch.linalg.lstsq(A, B).solution"),
    # norms
    "vector_norm": ("x = rnd(2, 3, 4)\nout = {}\n"
                    "for o in (0, 1, 2, 3, 0.5, float('inf'), -float('inf'), -1):\n"
                    "    out[f'all{o}'] = torch.linalg.vector_norm(x, o)\n"
                    "    out[f'd{o}'] = torch.linalg.vector_norm(x, o, dim=(0, 2), keepdim=True)\n"
                    "out['c'] = torch.linalg.vector_norm(rnd(3, dtype='complex128'))\n"
                    "out['f32'] = torch.linalg.vector_norm(rnd(4).float(), dtype=torch.float64)"),
    "matrix_norm": ("A = rnd(2, 3, 4); C = rnd(3, 3, dtype='complex128', seed=1)\nout = {}\n"
                    "for o in ('fro', 'nuc', 1, -1, 2, -2, float('inf'), -float('inf')):\n"
                    "    out[f'm{o}'] = torch.linalg.matrix_norm(A, o)\n"
                    "    out[f'k{o}'] = torch.linalg.matrix_norm(A, o, dim=(0, 2), keepdim=True)\n"
                    "    out[f'c{o}'] = torch.linalg.matrix_norm(C, o)\n"
                    "    out[f'n{o}'] = torch.linalg.norm(A[0], o)\n"
                    "out['flat'] = torch.linalg.norm(A); out['dim1'] = torch.linalg.norm(A, 3, 1)"),
    "legacy_norm": ("A = rnd(2, 3, 4)\n"
                    "out = {'fro': torch.norm(A), 'nuc': torch.norm(A[0], 'nuc'),"
                    " 'p3': torch.norm(A, 3, dim=1),"
                    " 'inf': torch.norm(A, float('inf'), dim=(1, 2)),"
                    " 'fro2': torch.norm(A, 'fro', dim=(0, 1), keepdim=True), 'm': A.norm(1),"
                    " 'nucb': torch.norm(A, 'nuc', dim=(1, 2))}"),
    "dist_renorm": ("x = rnd(3, 4); y = rnd(4, seed=1)\n"
                    "out = {'d2': torch.dist(x, y), 'd0': torch.dist(x, y, 0), 'dinf': "
                    "x.dist(y, float('inf')), 'd3': torch.dist(x, y, 3),"
                    " 'renorm': torch.renorm(x, 2, 0, 1.5), 'renorm1': x.renorm(1, 1, 2.0)}\n"
                    "z = x.clone(); z.renorm_(2, 0, 1.0); out['inplace'] = z"),
    "cond": ("A = rnd(2, 3, 3); S = torch.tensor([[1., 2.], [2., 4.]], dtype=torch.float64)\n"
             "out = {'none': torch.linalg.cond(A), 'fro': torch.linalg.cond(A, 'fro'),"
             " 'nuc': torch.linalg.cond(A, 'nuc'), 'one': torch.linalg.cond(A, 1),"
             " 'inf': torch.linalg.cond(A, float('inf')), 'm2': torch.linalg.cond(A, -2),"
             " 'rect': torch.linalg.cond(rnd(3, 5)), 'sing': torch.linalg.cond(S, 1)}"),
    "small_products": ("x = rnd(3, 4, dtype='complex128'); y = rnd(4, dtype='complex128', seed=1)\n"
                       "out = {'vecdot': torch.linalg.vecdot(x, y),"
                       " 'vander': torch.linalg.vander(rnd(3)), 'vander4': torch.linalg.vander("
                       "torch.tensor([1, 2, 3]), N=4),"
                       " 'multi': torch.linalg.multi_dot([rnd(2, 3), rnd(3, 4, seed=1), rnd(4, 2,"
                       " seed=2)]), 'diag': torch.linalg.diagonal(rnd(2, 3, 3), offset=1),"
                       " 'cross': torch.linalg.cross(rnd(2, 3), rnd(2, 3, seed=1)),"
                       " 'mpow': torch.linalg.matrix_power(rnd(3, 3), -2),"
                       " 'mexp': torch.linalg.matrix_exp(rnd(3, 3, dtype='complex128')),"
                       " 'mexp_legacy': rnd(2, 2, 2).matrix_exp()}"),
    "tensor_solve": ("A = rnd(6, 2, 3); B = rnd(6, seed=1); T = rnd(4, 6, 8, 3)\n"
                     "out = {'ts': torch.linalg.tensorsolve(A, B), 'ti': torch.linalg.tensorinv("
                     "T, ind=2), 'tsd': torch.linalg.tensorsolve(rnd(2, 3, 6, seed=4), rnd(2, 3, "
                     "seed=5), dims=(0, 2))}"),
    "householder": ("A = rnd(5, 3); a, tau = torch.geqrf(A); C = rnd(5, 2, seed=1)\n"
                    "out = {'a': a, 'tau': tau, 'Q': torch.linalg.householder_product(a, tau),"
                    " 'orgqr': torch.orgqr(a, tau), 'ormqr': torch.ormqr(a, tau, C),"
                    " 'ormqrT': torch.ormqr(a, tau, C.mT, left=False, transpose=True)}\n"
                    "Ac = rnd(4, 4, dtype='complex128', seed=2); ac, tc = torch.geqrf(Ac)\n"
                    "out['Qc'] = torch.linalg.householder_product(ac, tc)"),
    "ldl": ("A = torch.tensor([[0., 1., 2., 0.], [1., 0., 3., 1.], [2., 3., 1., 0.], "
            "[0., 1., 0., 4.]], dtype=torch.float64)\n"
            "H = herm(4, seed=3); B = rnd(4, 2, seed=1)\n"
            "LD, piv = torch.linalg.ldl_factor(A); LD2, piv2 = torch.linalg.ldl_factor(H)\n"
            "out = {'LD': LD, 'piv': piv, 'x': torch.linalg.ldl_solve(LD, piv, B),"
            " 'LD2': LD2, 'piv2': piv2, 'x2': torch.linalg.ldl_solve(LD2, piv2, B),"
            " 'info': torch.linalg.ldl_factor_ex(torch.zeros(2, 2)).info}"),
    "lowrank": ("A = rnd(6, 2) @ rnd(2, 5, seed=1)\n"
                "U, S, V = torch.svd_lowrank(A, q=2); Up, Sp, Vp = torch.pca_lowrank(A, q=2)\n"
                "Ac = A - A.mean(0, keepdim=True)\n"
                "out = {'S': S, 'recon': (U * S) @ V.mT, 'Sp': Sp, 'reconp': (Up * Sp) @ Vp.mT,"
                " 'Ac': Ac}"),
    # errors
    "errors": ("out = {'int': err(lambda: torch.linalg.inv(torch.ones(2, 2, dtype=torch.long))),"
               " 'nonsq': err(lambda: torch.linalg.det(torch.ones(2, 3))),"
               " 'dim': err(lambda: torch.linalg.eigh(torch.ones(3))),"
               " 'solve_shape': err(lambda: torch.linalg.solve(torch.eye(3), torch.ones(2))),"
               " 'matrix_norm_ord': err(lambda: torch.linalg.matrix_norm(torch.ones(2, 2), 3)),"
               " 'lstsq': err(lambda: torch.linalg.lstsq(torch.ones(3), torch.ones(3)))}"),
    "grad_full_svd_qr": ("A = rnd(4, 3).requires_grad_(); W = rnd(3, 4, seed=1).requires_grad_()\n"
                         "U, S, Vh = torch.linalg.svd(A)\n"
                         "U2, S2, V2 = torch.svd(W, some=False)\n"
                         "out = {'full': torch.autograd.grad(S.sum() + (U[:, :3].abs() ** 2 * "
                         "rnd(4, 3, seed=2)).sum(), A)[0], 'legacy': torch.autograd.grad("
                         "(V2[:, :3].abs() ** 2 * rnd(4, 3, seed=3)).sum(), W)[0],"
                         " 'qr_r': err(lambda: torch.autograd.grad(torch.linalg.qr(A, mode='r')"
                         ".R.sum(), A)), 'qr_complete': err(lambda: torch.autograd.grad("
                         "torch.linalg.qr(A, mode='complete').R.sum(), A)),"
                         " 'qr_wide': torch.autograd.grad(torch.linalg.qr(W, mode='complete')"
                         ".R.sum(), W)[0]}"),
    # gradients (gauge-invariant losses for the decompositions)
    "grads": ("A = rnd(3, 3).requires_grad_(); H = herm(3, seed=1).requires_grad_()\n"
              "R = rnd(4, 3, seed=2).requires_grad_(); P = spd(3, seed=3).requires_grad_()\n"
              "C = rnd(3, 3, seed=4)\n"
              "w, V = torch.linalg.eigh(H)\n"
              "U, S, Vh = torch.linalg.svd(R, full_matrices=False)\n"
              "loss = (w ** 2).sum() + (V.abs() ** 2 * C).sum()\n"
              "out = {'eigh': torch.autograd.grad(loss, H)[0]}\n"
              "loss = S.sum() + (U.abs() ** 2 * rnd(4, 3, seed=5)).sum()\n"
              "out['svd'] = torch.autograd.grad(loss, R)[0]\n"
              "out['inv'] = torch.autograd.grad((torch.linalg.inv(A) * C).sum(), A)[0]\n"
              "out['det'] = torch.autograd.grad(torch.linalg.slogdet(A).logabsdet, A)[0]\n"
              "out['chol'] = torch.autograd.grad((torch.linalg.cholesky(P) * C).sum(), P)[0]\n"
              "out['qr'] = torch.autograd.grad((torch.linalg.qr(R).R * rnd(3, 3, seed=6))"
              ".sum(), R)[0]\n"
              "out['lstsq'] = torch.autograd.grad(torch.linalg.lstsq(R, rnd(4, 2, seed=7))"
              ".solution.sum(), R)[0]\n"
              "out['pinv'] = torch.autograd.grad(torch.linalg.pinv(R).pow(2).sum(), R)[0]\n"
              "out['mnuc'] = torch.autograd.grad(torch.linalg.matrix_norm(R, 'nuc'), R)[0]\n"
              "out['m2'] = torch.autograd.grad(torch.linalg.matrix_norm(R, 2), R)[0]\n"
              "out['vn0'] = torch.autograd.grad(torch.linalg.vector_norm(R * 0, 2), R)[0]\n"
              "out['eigvals'] = torch.autograd.grad(torch.linalg.eigvals(A).abs().sum(), A)[0]\n"
              "out['solve'] = torch.autograd.grad(torch.linalg.solve(A, C).sum(), A)[0]\n"
              "out['mexp'] = torch.autograd.grad(torch.linalg.matrix_exp(A).sum(), A)[0]\n"
              "out['lu'] = torch.autograd.grad(torch.linalg.lu(A).U.sum(), A)[0]\n"
              "out['cond'] = torch.autograd.grad(torch.linalg.cond(A), A)[0]\n"
              "out['hh'] = torch.autograd.grad(torch.linalg.householder_product(R, rnd(3, "
              "seed=8)).sum(), R)[0]\n"
              "w, V = torch.linalg.eig(A)\n"
              "out['eig'] = torch.autograd.grad((V.abs() ** 2 * C).sum() + (w * w).real.sum(), "
              "A)[0]\n"
              "out['cholinv'] = torch.autograd.grad((torch.cholesky_inverse(A.tril() + 3 * "
              "torch.eye(3)) * C).sum(), A)[0]\n"
              "out['cholsolve'] = torch.autograd.grad(torch.cholesky_solve(C, A, upper=True)"
              ".sum(), A)[0]"),
}


def _catch(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return e
    return None


def run_case(torch, code: str) -> dict:
    """Run one case program with ``torch`` bound to the given module; return its ``out``."""
    ns = {"torch": torch, "np": np, "_catch": _catch}
    exec(PRELUDE, ns)  # noqa: S102
    exec(code, ns)  # noqa: S102
    return ns["out"]


def main() -> None:
    import torch

    torch.set_default_dtype(torch.float32)
    arrays: dict = {}
    meta: dict = {"torch_version": torch.__version__, "prelude": PRELUDE, "cases": {}}
    for name, code in CASES.items():
        out = run_case(torch, code)
        enc = {}
        for k, v in out.items():
            if isinstance(v, torch.Tensor):
                key = f"{name}/{k}"
                arrays[key] = v.detach().resolve_conj().resolve_neg().numpy()
                enc[k] = {"T": key, "dtype": str(v.dtype).replace("torch.", "")}
            else:
                enc[k] = v
        meta["cases"][name] = {"code": code, "out": enc}
    np.savez_compressed(OUT, __meta__=np.array(json.dumps(meta)), **arrays)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(CASES)} cases, {len(arrays)} arrays")


if __name__ == "__main__":
    sys.exit(main())
