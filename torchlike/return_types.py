"""torch.return_types: the named tuples ops like max(dim), sort, topk return."""

from __future__ import annotations

_TYPES: dict = {}


def _structseq(name: str, fields: tuple):
    def __new__(cls, seq=None, **kw):
        if seq is None:
            seq = tuple(kw[f] for f in fields)
        seq = tuple(seq)
        if len(seq) != len(fields):
            raise TypeError(f"torch.return_types.{name} takes a {len(fields)}-sequence "
                            f"({len(seq)}-sequence given)")
        return tuple.__new__(cls, seq)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self, strict=False))
        return f"torch.return_types.{name}(\n{body})"

    def __reduce__(self):
        return (_TYPES[name], (tuple(self),))

    ns = {"__new__": __new__, "__repr__": __repr__, "__reduce__": __reduce__, "__slots__": (),
          "_fields": fields, "n_fields": len(fields), "n_sequence_fields": len(fields),
          "__module__": "torch.return_types"}
    for i, f in enumerate(fields):
        ns[f] = property(lambda self, i=i: tuple.__getitem__(self, i))
    cls = type(name, (tuple,), ns)
    _TYPES[name] = cls
    return cls


max = _structseq("max", ("values", "indices"))  # noqa: A001
min = _structseq("min", ("values", "indices"))  # noqa: A001
aminmax = _structseq("aminmax", ("min", "max"))
sort = _structseq("sort", ("values", "indices"))
topk = _structseq("topk", ("values", "indices"))
kthvalue = _structseq("kthvalue", ("values", "indices"))
mode = _structseq("mode", ("values", "indices"))
median = _structseq("median", ("values", "indices"))
nanmedian = _structseq("nanmedian", ("values", "indices"))
cummax = _structseq("cummax", ("values", "indices"))
cummin = _structseq("cummin", ("values", "indices"))
frexp = _structseq("frexp", ("mantissa", "exponent"))
histogram = _structseq("histogram", ("hist", "bin_edges"))
histogramdd = _structseq("histogramdd", ("hist", "bin_edges"))
slogdet = _structseq("slogdet", ("sign", "logabsdet"))
svd = _structseq("svd", ("U", "S", "V"))
qr = _structseq("qr", ("Q", "R"))
geqrf = _structseq("geqrf", ("a", "tau"))
linalg_slogdet = _structseq("linalg_slogdet", ("sign", "logabsdet"))
linalg_inv_ex = _structseq("linalg_inv_ex", ("inverse", "info"))
linalg_cholesky_ex = _structseq("linalg_cholesky_ex", ("L", "info"))
linalg_lu_factor = _structseq("linalg_lu_factor", ("LU", "pivots"))
linalg_lu_factor_ex = _structseq("linalg_lu_factor_ex", ("LU", "pivots", "info"))
linalg_lu = _structseq("linalg_lu", ("P", "L", "U"))
lu_unpack = _structseq("lu_unpack", ("P", "L", "U"))
linalg_solve_ex = _structseq("linalg_solve_ex", ("result", "info"))
triangular_solve = _structseq("triangular_solve", ("solution", "cloned_coefficient"))
linalg_qr = _structseq("linalg_qr", ("Q", "R"))
linalg_eig = _structseq("linalg_eig", ("eigenvalues", "eigenvectors"))
linalg_eigh = _structseq("linalg_eigh", ("eigenvalues", "eigenvectors"))
linalg_svd = _structseq("linalg_svd", ("U", "S", "Vh"))
linalg_lstsq = _structseq("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
linalg_ldl_factor = _structseq("linalg_ldl_factor", ("LD", "pivots"))
linalg_ldl_factor_ex = _structseq("linalg_ldl_factor_ex", ("LD", "pivots", "info"))
_lu_with_info = _structseq("_lu_with_info", ("LU", "pivots", "info"))
