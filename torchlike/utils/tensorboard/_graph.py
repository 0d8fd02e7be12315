"""SummaryWriter.add_graph: a GraphDef of the module calls seen while running the model.

torch traces the model with TorchScript and logs every aten op. torchlike has no TorchScript:
it runs the model once with forward hooks on its leaf modules and logs one node per leaf
module call (named by its scope, e.g. ``Net/Sequential[body]/Linear[0]``, op = the class
name, with the output shape), plus ``input/...`` and ``output/...`` IO nodes. Edges follow
the data: a module's input is traced back through the autograd graph (functional ops such
as ``F.relu`` between modules) to the module call or model input that produced it.
"""

from __future__ import annotations

from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.config_pb2 import RunMetadata
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.step_stats_pb2 import DeviceStepStats, StepStats
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.versions_pb2 import VersionDef

from ..._core.tensor import Tensor


def _tensors(x) -> list:
    if isinstance(x, Tensor):
        return [x]
    if isinstance(x, (list, tuple)):
        return [t for e in x for t in _tensors(e)]
    if isinstance(x, dict):
        return [t for e in x.values() for t in _tensors(e)]
    return []


def _node(name, op, inputs, shape=None, attr=None) -> NodeDef:
    attrs = {}
    if attr:
        attrs["attr"] = AttrValue(s=attr.encode("utf_8"))
    if shape is not None:
        dims = [TensorShapeProto.Dim(size=int(d)) for d in shape]
        attrs["_output_shapes"] = AttrValue(
            list=AttrValue.ListValue(shape=[TensorShapeProto(dim=dims)]))
    return NodeDef(name=name, op=op, input=list(inputs), attr=attrs)


class _Recorder:
    def __init__(self):
        self.by_tensor = {}   # id(tensor) -> node name (kept alive in self.keep)
        self.by_fn = {}       # id(grad_fn) -> node name
        self.keep = []
        self.nodes = []
        self.counts = {}

    def produced(self, t: Tensor, name: str):
        self.keep.append(t)
        self.by_tensor[id(t)] = name
        fn = t.grad_fn
        if fn is not None:
            self.keep.append(fn)
            self.by_fn[id(fn)] = name

    def sources(self, t: Tensor) -> list[str]:
        """Nodes that produced `t`, looking through unrecorded autograd ops."""
        name = self.by_tensor.get(id(t))
        if name is not None:
            return [name]
        found, seen, stack = [], set(), [t.grad_fn] if t.grad_fn is not None else []
        while stack:
            fn = stack.pop()
            if fn is None or id(fn) in seen:
                continue
            seen.add(id(fn))
            name = self.by_fn.get(id(fn))
            if name is not None:
                if name not in found:
                    found.append(name)
                continue
            stack.extend(f for f, _ in getattr(fn, "next_functions", ()))
        return found


def module_graph(model, input_to_model=None, verbose=False):
    """(GraphDef, RunMetadata) of `model`'s leaf-module calls on `input_to_model`."""
    # Grad stays on while the model runs: the edges are read off the autograd graph.
    from ..._core.grad_mode import enable_grad

    if input_to_model is None:
        raise NotImplementedError(
            "torchlike's add_graph runs the model to see its structure: pass input_to_model")
    args = input_to_model if isinstance(input_to_model, (list, tuple)) else (input_to_model,)
    rec = _Recorder()
    for i, t in enumerate(_tensors(args)):
        name = f"input/input.{i + 1}" if i else "input/input"
        rec.nodes.append(_node(name, "IO Node", [], tuple(t.shape)))
        rec.produced(t, name)

    root = type(model).__name__
    scopes = {}
    for path, mod in model.named_modules():
        scope = root
        parent = model
        for part in path.split(".") if path else []:
            parent = getattr(parent, part) if not part.isdigit() else parent[int(part)]
            scope += f"/{type(parent).__name__}[{part}]"
        scopes[id(mod)] = scope

    def hook(mod, inputs, output):
        base = scopes[id(mod)]
        n = rec.counts.get(base, 0)
        rec.counts[base] = n + 1
        name = base if n == 0 else f"{base}.{n}"
        srcs = []
        for t in _tensors(inputs):
            srcs.extend(s for s in rec.sources(t) if s not in srcs)
        outs = _tensors(output)
        shape = tuple(outs[0].shape) if outs else None
        rec.nodes.append(_node(name, type(mod).__name__, srcs, shape,
                               repr(mod) if verbose else None))
        for t in outs:
            rec.produced(t, name)

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if not any(True for _ in m.children())]
    try:
        with enable_grad():
            out = model(*args)
    finally:
        for h in handles:
            h.remove()
    for i, t in enumerate(_tensors(out)):
        name = f"output/output.{i + 1}"
        rec.nodes.append(_node(name, "IO Node", rec.sources(t), tuple(t.shape)))
    if verbose:
        for nd in rec.nodes:
            print(nd.name, nd.op, list(nd.input))
    meta = RunMetadata(step_stats=StepStats(dev_stats=[DeviceStepStats(device="/device:CPU:0")]))
    return GraphDef(node=rec.nodes, versions=VersionDef(producer=22)), meta
