"""Status of every op_db entry in torchlike: covered (replayed by test_opdb), skipped (with the
reason) or missing; and the public torchlike names that op_db does not test, with the test file
that does.

    python -m compat_tests.coverage           print the table's summary
    python -m compat_tests.coverage --write   also rewrite docs/coverage.md
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

from compat_tests import skiplist
from compat_tests._fixtures import all_metas, covers, import_torchlike, replayable_dtypes

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "coverage.md"

# The namespaces whose op_db names the issues count separately; the rest is "core".
NAMESPACES = ("linalg.", "fft.", "special.", "nn.", "masked.", "signal.", "sparse.")

# op_db entries torchlike does not offer, by design.
NOT_PLANNED: dict[str, str] = {
    **{k: "private ATen entry point (no public torch function or Tensor method)" for k in (
        "_batch_norm_with_update", "_chunk_cat", "_native_batch_norm_legit", "_segment_reduce",
        "_softmax_backward_data", "_unsafe_masked_index", "_unsafe_masked_index_put_accumulate",
        "_upsample_bilinear2d_aa", "slice", "max_pool2d_with_indices_backward",
        "native_dropout_backward",
        "torch._scaled_mm", "torch._scaled_mm_v2",
        "torch.ops.aten._efficient_attention_forward",
        "torch.ops.aten._flash_attention_forward", "torch.ops.aten._safe_softmax.default")},
    **{k: "CUDA-only jiterator test op" for k in (
        "jiterator_2inputs_2outputs", "jiterator_4inputs_with_extra_args", "jiterator_binary",
        "jiterator_binary_return_by_ref", "jiterator_unary")},
    **{k: "op_db calls it through a lambda around the in-place sampler Tensor.<name>_; the "
          "samplers exist (tests/test_random.py) but torch's random stream cannot be replayed"
       for k in ("cauchy", "exponential", "geometric", "log_normal", "uniform", "bernoulli",
                 "normal", "normal.number_mean")},
    "chalf": "complex32 is not supported by JAX (docs/differences.md)",
    "to_sparse": "sparse layouts are not supported (docs/differences.md)",
    "sparse.mm": "sparse layouts are not supported (docs/differences.md)",
    "sparse.sampled_addmm": "sparse layouts are not supported (docs/differences.md)",
    "hash_tensor": "returns uint64, a dtype torchlike does not offer yet",
}


def table(tl=None) -> list[tuple[str, str, str]]:
    """(key, status, reason) for every recorded op_db entry; status covered, no-samples,
    skipped or missing."""
    tl = tl if tl is not None else import_torchlike()
    rows = []
    for key, meta in all_metas().items():
        whole = skiplist.SKIP.get(key)
        if whole:
            rows.append((key, "skipped", whole))
        elif covers(tl, meta) and replayable_dtypes(tl, meta):
            parts = [f"{s}: {r}" for s, r in skiplist.SKIP.items() if s.startswith(key + ":")]
            rows.append((key, "covered", "; partly skipped: " + " | ".join(parts) if parts else ""))
        elif covers(tl, meta):
            rows.append((key, "no-samples", "op_db recorded no sample torchlike can call (torch "
                                            "2.13 yielded none, or only through a lambda)"))
        elif key in NOT_PLANNED or meta["name"] in NOT_PLANNED:
            rows.append((key, "skipped", NOT_PLANNED.get(key) or NOT_PLANNED[meta["name"]]))
        else:
            rows.append((key, "missing", ""))
    return rows


def summary(rows) -> list[str]:
    """Per namespace: op_db names with every entry covered, and entries by status."""
    name_of = {k: m["name"] for k, m in all_metas().items()}
    lines = []
    for label, pred in (("core", lambda n: not n.startswith(NAMESPACES)),
                        *((ns.rstrip("."), lambda n, ns=ns: n.startswith(ns))
                          for ns in NAMESPACES)):
        sel = [r for r in rows if pred(name_of[r[0]])]
        if not sel:
            continue
        by_name: dict[str, set] = {}
        for k, status, _ in sel:
            by_name.setdefault(name_of[k], set()).add(status)
        full = sum(st == {"covered"} for st in by_name.values())
        counts = ", ".join(f"{sum(r[1] == s for r in sel)} {s}"
                           for s in ("covered", "no-samples", "skipped", "missing"))
        lines.append(f"{label}: {full}/{len(by_name)} op_db names covered in every entry; "
                     f"entries: {counts}")
    return lines


def public_names(tl) -> dict[str, object]:
    """Public callables of torchlike's op namespaces and Tensor, by torch-style dotted name."""
    out = {}
    spaces = {"": tl}
    for ns in ("linalg", "fft", "special", "masked", "nn.functional", "signal.windows"):
        mod = tl
        for part in ns.split("."):
            mod = getattr(mod, part, None)
        if isinstance(mod, types.ModuleType):
            spaces[ns + "."] = mod
    for prefix, mod in spaces.items():
        for n in dir(mod):
            obj = getattr(mod, n)
            if n.startswith("_") or isinstance(obj, (type, types.ModuleType, tl.dtype)):
                continue
            if callable(obj):
                out[prefix + n] = obj
    for n in dir(tl.Tensor):
        if not n.startswith("_") or (n.startswith("__r") and n.endswith("__")):
            out.setdefault("Tensor." + n, getattr(tl.Tensor, n))
    return out


def main(argv) -> int:
    rows = table()
    for line in summary(rows):
        print(line)
    missing = [r[0] for r in rows if r[1] == "missing"]
    print("missing:", " ".join(missing) or "none")
    if "--write" in argv:
        out = ["# op_db coverage", "",
               "Generated by `python -m compat_tests.coverage --write` from the recorded op_db "
               "fixtures (torch 2.13).", "", *[f"- {s}" for s in summary(rows)], "",
               "| op_db entry | status | note |", "|---|---|---|"]
        out += [f"| `{k}` | {s} | {r.replace('|', '/')} |" for k, s, r in rows]
        DOC.write_text("\n".join(out) + "\n")
        print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
