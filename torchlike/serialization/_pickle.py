"""Pickle machinery for torchlike.serialization: torch's names on the way out, a restricted
opcode-by-opcode unpickler on the way in.

Writing: files must name torch's own globals (``torch._utils._rebuild_tensor_v2``,
``torch.FloatStorage``, ``torch.Size``, ``torch.float32``, ...) so that real ``torch.load``
rebuilds them, but torch is not installed here, so the stdlib C pickler (which imports a
global's module to check it) cannot write them.  ``TorchPickler`` is a subclass of the
pure-Python pickler that writes those names from stub objects (``TorchGlobal``).

Reading with ``weights_only=True``: ``RestrictedUnpickler`` interprets the pickle opcodes
itself, as torch's ``_weights_only_unpickler`` does.  Nothing named in the file is imported or
called unless it is in the allowlist handed to it; REDUCE/NEWOBJ/BUILD only reach allowlisted
callables and types; every length is checked against the bytes actually present before
anything is read or allocated; it never recurses, so deep nesting cannot overflow the C stack.
"""

from __future__ import annotations

import codecs
import io
import pickle
import struct
from collections import Counter, OrderedDict
from pickle import UnpicklingError

# ---------------------------------------------------------------- writing


class TorchGlobal:
    """A stand-in for a global of torch (``module.name``) that TorchPickler writes by name."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str):
        self.module = module
        self.name = name

    def __repr__(self) -> str:
        return f"<torch global {self.module}.{self.name}>"

    def __call__(self, *args, **kwargs):  # pickle's save_reduce insists on a callable
        raise TypeError(f"{self.module}.{self.name} is a name written into checkpoints, not a "
                        "function torchlike can run")


class TorchPickler(pickle._Pickler):
    """The pure-Python pickler, writing TorchGlobal stubs as GLOBAL/STACK_GLOBAL opcodes.

    ``reduce_hook(obj)`` gives a reduce tuple for objects that must be written in torch's form
    (tensors, Size, device) or NotImplemented; ``pid_hook(obj)`` gives persistent ids; objects
    whose type is in ``as_global`` are written as the TorchGlobal ``as_global[type](obj)``.
    """

    def __init__(self, file, protocol, reduce_hook, pid_hook, as_global):
        super().__init__(file, protocol)
        self._reduce_hook = reduce_hook
        self._pid_hook = pid_hook
        self._as_global = as_global

    def persistent_id(self, obj):
        return self._pid_hook(obj)

    def reducer_override(self, obj):
        return self._reduce_hook(obj)

    def save(self, obj, save_persistent_id=True):
        t = type(obj)
        if t is TorchGlobal or t in self._as_global:
            self.framer.commit_frame()
            x = self.memo.get(id(obj))
            if x is not None:
                self.write(self.get(x[0]))
                return
            g = obj if t is TorchGlobal else self._as_global[t](obj)
            if self.proto >= 4:
                self.save(g.module)
                self.save(g.name)
                self.write(pickle.STACK_GLOBAL)
            else:
                self.write(pickle.GLOBAL + f"{g.module}\n{g.name}\n".encode())
            self.memoize(obj)
            return
        super().save(obj, save_persistent_id)


# ---------------------------------------------------------------- reading

# Modules whose names are refused even when a user allowlists something from them (torch
# blocks the first four; the rest only ever appear in files built to run code).
BLOCKED_MODULES = frozenset({"sys", "os", "posix", "nt", "subprocess", "pty", "runpy", "ctypes",
                             "importlib", "shutil", "socket", "webbrowser", "code", "codeop",
                             "marshal", "pickle", "_pickle", "multiprocessing"})
BLOCKED_BUILTINS = frozenset({"eval", "exec", "compile", "__import__", "getattr", "setattr",
                              "delattr", "open", "breakpoint", "input", "globals", "locals",
                              "vars", "exit", "quit", "help", "memoryview"})

# Python 2 names as protocol-2 pickles write them (pickle's fix_imports), the way torch maps them.
_IMPORT_MAPPING = {"__builtin__": "builtins", "copy_reg": "copyreg", "UserDict": "collections",
                   "exceptions": "builtins"}

_TEXT_ENCODINGS = frozenset({"latin1", "latin-1", "iso-8859-1", "iso8859-1", "utf-8", "utf8",
                             "ascii", "us-ascii"})


def normalize_global(module: str, name: str) -> tuple[str, str]:
    """Python 2 module names (``__builtin__``) as Python 3 spells them."""
    return _IMPORT_MAPPING.get(module, module), name


def refused_global_message(full_path: str) -> str:
    short = full_path[len("builtins."):] if full_path.startswith("builtins.") else full_path
    return (f"Unsupported global: GLOBAL {full_path} was not an allowed global by default. "
            f"Please use `torch.serialization.add_safe_globals([{short}])` or the "
            f"`torch.serialization.safe_globals([{short}])` context manager to allowlist this "
            "global if you trust this class/function.")


def _safe_bytearray(*args):
    if not args:
        return bytearray()
    if len(args) == 1 and isinstance(args[0], (bytes, bytearray)):
        return bytearray(args[0])
    if len(args) == 2 and isinstance(args[0], str) and str(args[1]).lower() in _TEXT_ENCODINGS:
        return bytearray(args[0], args[1])
    raise UnpicklingError("builtins.bytearray is only rebuilt from bytes or text, got "
                          f"arguments of types {[type(a).__name__ for a in args]}")


def _safe_encode(obj, encoding="utf-8", errors="strict"):
    if not isinstance(obj, str) or not isinstance(encoding, str) or \
            encoding.lower() not in _TEXT_ENCODINGS or errors not in ("strict", "surrogatepass"):
        raise UnpicklingError("_codecs.encode is only allowed to turn text into bytes with a text "
                              f"encoding, got encoding {encoding!r}")
    return codecs.encode(obj, encoding, errors)


def _safe_set(*args):
    return set(*args)


def _safe_complex(*args):
    if not all(isinstance(a, (int, float, complex, str)) for a in args):
        raise UnpicklingError("builtins.complex takes numbers or a string")
    return complex(*args)


def _safe_ordered_dict(*args):
    if len(args) > 1 or (args and not isinstance(args[0], (list, tuple, dict))):
        raise UnpicklingError("collections.OrderedDict takes one list of pairs")
    return OrderedDict(*args)


def _safe_counter(*args):
    if len(args) > 1 or (args and not isinstance(args[0], dict)):
        raise UnpicklingError("collections.Counter takes one dict")
    return Counter(*args)


# Globals every weights_only load allows besides torch's (tensors, dtypes, ...): the
# containers a state_dict uses, with their argument checks.
PLAIN_GLOBALS = {
    "collections.OrderedDict": _safe_ordered_dict,
    "collections.Counter": _safe_counter,
    "_codecs.encode": _safe_encode,
    "builtins.bytearray": _safe_bytearray,
    "builtins.set": _safe_set,
    "builtins.complex": _safe_complex,
}
# NEWOBJ (protocol >= 2 ``cls.__new__(cls, *args)``) of these plain types is harmless.
PLAIN_NEWOBJ = {OrderedDict: OrderedDict, Counter: Counter, complex: complex, set: set,
                frozenset: frozenset}

# ---- opcodes (one byte each; see pickletools)
_OP = {name: getattr(pickle, name)[0] for name in (
    "MARK", "STOP", "POP", "POP_MARK", "DUP", "FLOAT", "INT", "BININT", "BININT1", "LONG",
    "BININT2", "NONE", "PERSID", "BINPERSID", "REDUCE", "STRING", "BINSTRING", "SHORT_BINSTRING",
    "UNICODE", "BINUNICODE", "APPEND", "BUILD", "GLOBAL", "DICT", "EMPTY_DICT", "APPENDS", "GET",
    "BINGET", "INST", "LONG_BINGET", "LIST", "EMPTY_LIST", "OBJ", "PUT", "BINPUT", "LONG_BINPUT",
    "SETITEM", "TUPLE", "EMPTY_TUPLE", "SETITEMS", "BINFLOAT", "PROTO", "NEWOBJ", "EXT1", "EXT2",
    "EXT4", "TUPLE1", "TUPLE2", "TUPLE3", "NEWTRUE", "NEWFALSE", "LONG1", "LONG4", "BINBYTES",
    "SHORT_BINBYTES", "SHORT_BINUNICODE", "BINUNICODE8", "BINBYTES8", "EMPTY_SET", "ADDITEMS",
    "FROZENSET", "NEWOBJ_EX", "STACK_GLOBAL", "MEMOIZE", "FRAME", "BYTEARRAY8", "NEXT_BUFFER",
    "READONLY_BUFFER")}

_ADDITEMS = _OP["ADDITEMS"]
_APPEND = _OP["APPEND"]
_APPENDS = _OP["APPENDS"]
_BINBYTES = _OP["BINBYTES"]
_BINBYTES8 = _OP["BINBYTES8"]
_BINFLOAT = _OP["BINFLOAT"]
_BINGET = _OP["BINGET"]
_BININT = _OP["BININT"]
_BININT1 = _OP["BININT1"]
_BININT2 = _OP["BININT2"]
_BINPERSID = _OP["BINPERSID"]
_BINPUT = _OP["BINPUT"]
_BINSTRING = _OP["BINSTRING"]
_BINUNICODE = _OP["BINUNICODE"]
_BINUNICODE8 = _OP["BINUNICODE8"]
_BUILD = _OP["BUILD"]
_BYTEARRAY8 = _OP["BYTEARRAY8"]
_DICT = _OP["DICT"]
_DUP = _OP["DUP"]
_EMPTY_DICT = _OP["EMPTY_DICT"]
_EMPTY_LIST = _OP["EMPTY_LIST"]
_EMPTY_SET = _OP["EMPTY_SET"]
_EMPTY_TUPLE = _OP["EMPTY_TUPLE"]
_FLOAT = _OP["FLOAT"]
_FRAME = _OP["FRAME"]
_FROZENSET = _OP["FROZENSET"]
_GET = _OP["GET"]
_GLOBAL = _OP["GLOBAL"]
_INT = _OP["INT"]
_LIST = _OP["LIST"]
_LONG = _OP["LONG"]
_LONG1 = _OP["LONG1"]
_LONG4 = _OP["LONG4"]
_LONG_BINGET = _OP["LONG_BINGET"]
_LONG_BINPUT = _OP["LONG_BINPUT"]
_MARK = _OP["MARK"]
_MEMOIZE = _OP["MEMOIZE"]
_NEWFALSE = _OP["NEWFALSE"]
_NEWOBJ = _OP["NEWOBJ"]
_NEWOBJ_EX = _OP["NEWOBJ_EX"]
_NEWTRUE = _OP["NEWTRUE"]
_NONE = _OP["NONE"]
_POP = _OP["POP"]
_POP_MARK = _OP["POP_MARK"]
_PROTO = _OP["PROTO"]
_PUT = _OP["PUT"]
_REDUCE = _OP["REDUCE"]
_SETITEM = _OP["SETITEM"]
_SETITEMS = _OP["SETITEMS"]
_SHORT_BINBYTES = _OP["SHORT_BINBYTES"]
_SHORT_BINSTRING = _OP["SHORT_BINSTRING"]
_SHORT_BINUNICODE = _OP["SHORT_BINUNICODE"]
_STACK_GLOBAL = _OP["STACK_GLOBAL"]
_STOP = _OP["STOP"]
_STRING = _OP["STRING"]
_TUPLE = _OP["TUPLE"]
_TUPLE1 = _OP["TUPLE1"]
_TUPLE2 = _OP["TUPLE2"]
_TUPLE3 = _OP["TUPLE3"]
_UNICODE = _OP["UNICODE"]

_MAX_LINE = 1 << 16  # text opcodes (GLOBAL names, INT/FLOAT literals) are short lines


class BufferReader:
    """A bounded reader over an in-memory buffer: a read past the end is an error, never a
    (possibly huge) allocation of what a length field claims."""

    __slots__ = ("buf", "pos", "end")

    def __init__(self, buf, pos: int = 0, end: int | None = None):
        self.buf = memoryview(buf).cast("B") if not isinstance(buf, bytes) else buf
        self.pos = pos
        self.end = len(buf) if end is None else end

    def read(self, n: int) -> bytes:
        if n < 0 or n > self.end - self.pos:
            raise UnpicklingError(f"pickle data was truncated (an opcode asks for {n} bytes, "
                                  f"{self.end - self.pos} are left)")
        p = self.pos
        self.pos = p + n
        return bytes(self.buf[p:p + n])

    def readline(self) -> bytes:
        buf, p = self.buf, self.pos
        limit = min(self.end, p + _MAX_LINE)
        if isinstance(buf, bytes):
            i = buf.find(b"\n", p, limit)
        else:
            i = bytes(buf[p:limit]).find(b"\n")
            i = -1 if i < 0 else p + i
        if i < 0:
            raise UnpicklingError("pickle data was truncated (an unterminated text line)")
        self.pos = i + 1
        return bytes(buf[p:i + 1])

    def remaining(self) -> int:
        return self.end - self.pos


class RestrictedUnpickler:
    """An unpickler that runs nothing it was not given.

    ``find_global(module, name)`` returns the object a GLOBAL names or raises
    UnpicklingError; ``callables`` holds the ids of objects REDUCE may call (it must contain
    every callable find_global can return); ``newobj`` maps classes NEWOBJ may instantiate
    to the factory to use; ``build`` is a function ``build(inst, state)`` that applies BUILD
    or raises; ``persistent_load(pid)`` resolves BINPERSID.
    """

    def __init__(self, reader: BufferReader, *, find_global, callables, newobj, build,
                 persistent_load, encoding: str = "utf-8", errors: str = "strict"):
        self.reader = reader
        self.find_global = find_global
        self.callables = callables
        self.newobj = newobj
        self.build = build
        self.persistent_load = persistent_load
        self.encoding = encoding
        self.errors = errors

    # -- helpers
    def _pop_mark(self):
        items = self.stack
        if not self.metastack:
            raise UnpicklingError("could not find MARK")
        self.stack = self.metastack.pop()
        return items

    def _decode_str(self, data: bytes):
        if self.encoding == "bytes":
            return data
        return data.decode(self.encoding, self.errors)

    def _call(self, func, args, kwargs=None):
        if id(func) not in self.callables:
            msg = f"Trying to call reduce for unrecognized function {func!r}"
            raise UnpicklingError(msg)
        if not isinstance(args, tuple):
            raise UnpicklingError(f"REDUCE arguments must be a tuple, got {type(args).__name__}")
        return func(*args, **(kwargs or {}))

    def load(self):
        """Unpickle one object; errors in the data come out as UnpicklingError (RuntimeError
        and MemoryError from the callbacks pass through)."""
        try:
            return self._load()
        except (UnpicklingError, RuntimeError, MemoryError):
            raise
        except RecursionError as e:  # a callback given absurdly nested input
            raise UnpicklingError(f"pickle data is nested too deeply: {e}") from None
        except (IndexError, KeyError, struct.error, ValueError, TypeError, AttributeError,
                OverflowError, UnicodeError, EOFError) as e:
            if getattr(e, "user_error", False):  # a mistake in load()'s arguments, not the file
                raise
            raise UnpicklingError(f"malformed pickle data ({type(e).__name__}: {e})") from None

    def _load(self):  # noqa: C901 - one branch per opcode, like pickle.py
        r = self.reader
        read, readline = r.read, r.readline
        self.stack = stack = []
        self.metastack = []
        memo: dict = {}
        unpack = struct.unpack
        while True:
            if r.pos >= r.end:
                raise UnpicklingError("pickle data was truncated (no STOP opcode)")
            key = r.buf[r.pos]
            r.pos += 1
            stack = self.stack
            # -- constants
            if key == _BININT1:
                stack.append(read(1)[0])
            elif key == _BINPUT:
                if not stack:
                    raise UnpicklingError("BINPUT on an empty stack")
                memo[read(1)[0]] = stack[-1]
            elif key == _BINGET:
                stack.append(memo[read(1)[0]])
            elif key == _BINUNICODE:
                n = unpack("<I", read(4))[0]
                stack.append(str(read(n), "utf-8", "surrogatepass"))
            elif key == _SHORT_BINUNICODE:
                n = read(1)[0]
                stack.append(str(read(n), "utf-8", "surrogatepass"))
            elif key == _BINUNICODE8:
                n = unpack("<Q", read(8))[0]
                stack.append(str(read(n), "utf-8", "surrogatepass"))
            elif key == _UNICODE:
                stack.append(str(readline()[:-1], "raw-unicode-escape"))
            elif key == _BININT:
                stack.append(unpack("<i", read(4))[0])
            elif key == _BININT2:
                stack.append(unpack("<H", read(2))[0])
            elif key == _LONG1:
                n = read(1)[0]
                stack.append(pickle.decode_long(read(n)))
            elif key == _LONG4:
                n = unpack("<i", read(4))[0]
                if n < 0:
                    raise UnpicklingError("LONG pickle has negative byte count")
                stack.append(pickle.decode_long(read(n)))
            elif key == _INT:
                data = readline()[:-1]
                if data == b"00":
                    stack.append(False)
                elif data == b"01":
                    stack.append(True)
                else:
                    stack.append(int(data, 0))
            elif key == _LONG:
                data = readline()[:-1]
                if data[-1:] == b"L":
                    data = data[:-1]
                stack.append(int(data, 0))
            elif key == _BINFLOAT:
                stack.append(unpack(">d", read(8))[0])
            elif key == _FLOAT:
                stack.append(float(readline()[:-1]))
            elif key == _NONE:
                stack.append(None)
            elif key == _NEWTRUE:
                stack.append(True)
            elif key == _NEWFALSE:
                stack.append(False)
            elif key == _BINBYTES:
                n = unpack("<I", read(4))[0]
                stack.append(read(n))
            elif key == _SHORT_BINBYTES:
                n = read(1)[0]
                stack.append(read(n))
            elif key == _BINBYTES8:
                n = unpack("<Q", read(8))[0]
                stack.append(read(n))
            elif key == _BYTEARRAY8:
                n = unpack("<Q", read(8))[0]
                stack.append(bytearray(read(n)))
            elif key == _SHORT_BINSTRING:
                n = read(1)[0]
                stack.append(self._decode_str(read(n)))
            elif key == _BINSTRING:
                n = unpack("<i", read(4))[0]
                if n < 0:
                    raise UnpicklingError("BINSTRING pickle has negative byte count")
                stack.append(self._decode_str(read(n)))
            elif key == _STRING:
                data = readline()[:-1]
                if len(data) >= 2 and data[0] == data[-1] and data[0] in b"\"'":
                    data = data[1:-1]
                else:
                    raise UnpicklingError("the STRING opcode argument must be quoted")
                stack.append(self._decode_str(codecs.escape_decode(data)[0]))
            # -- containers
            elif key == _EMPTY_TUPLE:
                stack.append(())
            elif key == _TUPLE1:
                stack[-1] = (stack[-1],)
            elif key == _TUPLE2:
                stack[-2:] = [(stack[-2], stack[-1])] if len(stack) >= 2 else _underflow()
            elif key == _TUPLE3:
                stack[-3:] = [(stack[-3], stack[-2], stack[-1])] if len(stack) >= 3 \
                    else _underflow()
            elif key == _TUPLE:
                items = self._pop_mark()
                self.stack.append(tuple(items))
            elif key == _EMPTY_LIST:
                stack.append([])
            elif key == _LIST:
                items = self._pop_mark()
                self.stack.append(items)
            elif key == _EMPTY_DICT:
                stack.append({})
            elif key == _DICT:
                items = self._pop_mark()
                if len(items) % 2:
                    raise UnpicklingError("odd number of items for DICT")
                self.stack.append({items[i]: items[i + 1] for i in range(0, len(items), 2)})
            elif key == _EMPTY_SET:
                stack.append(set())
            elif key == _FROZENSET:
                items = self._pop_mark()
                self.stack.append(frozenset(items))
            elif key == _APPEND:
                item = stack.pop()
                target = stack[-1]
                if type(target) is not list:
                    raise UnpicklingError(f"Can only append to lists, but got {type(target)}")
                target.append(item)
            elif key == _APPENDS:
                items = self._pop_mark()
                target = self.stack[-1]
                if type(target) is not list:
                    raise UnpicklingError(f"Can only extend lists, but got {type(target)}")
                target.extend(items)
            elif key == _SETITEM:
                v = stack.pop()
                k = stack.pop()
                _check_dict(stack[-1], "SETITEM")[k] = v
            elif key == _SETITEMS:
                items = self._pop_mark()
                target = _check_dict(self.stack[-1], "SETITEMS")
                if len(items) % 2:
                    raise UnpicklingError("odd number of items for SETITEMS")
                for i in range(0, len(items), 2):
                    target[items[i]] = items[i + 1]
            elif key == _ADDITEMS:
                items = self._pop_mark()
                target = self.stack[-1]
                if type(target) is not set:
                    raise UnpicklingError(f"Can only add items to sets, but got {type(target)}")
                target.update(items)
            # -- stack and memo
            elif key == _MARK:
                self.metastack.append(stack)
                self.stack = []
            elif key == _POP:
                if stack:
                    stack.pop()
                else:
                    self._pop_mark()
            elif key == _POP_MARK:
                self._pop_mark()
            elif key == _DUP:
                stack.append(stack[-1])
            elif key == _LONG_BINPUT:
                if not stack:
                    raise UnpicklingError("LONG_BINPUT on an empty stack")
                memo[unpack("<I", read(4))[0]] = stack[-1]
            elif key == _LONG_BINGET:
                stack.append(memo[unpack("<I", read(4))[0]])
            elif key == _PUT:
                if not stack:
                    raise UnpicklingError("PUT on an empty stack")
                memo[int(readline()[:-1])] = stack[-1]
            elif key == _GET:
                stack.append(memo[int(readline()[:-1])])
            elif key == _MEMOIZE:
                if not stack:
                    raise UnpicklingError("MEMOIZE on an empty stack")
                memo[len(memo)] = stack[-1]
            # -- the risky ones
            elif key == _GLOBAL:
                module = readline()[:-1].decode("utf-8")
                name = readline()[:-1].decode("utf-8")
                stack.append(self.find_global(module, name))
            elif key == _STACK_GLOBAL:
                name = stack.pop()
                module = stack.pop()
                if type(name) is not str or type(module) is not str:
                    raise UnpicklingError("STACK_GLOBAL requires str")
                stack.append(self.find_global(module, name))
            elif key == _REDUCE:
                args = stack.pop()
                stack[-1] = self._call(stack[-1], args)
            elif key == _NEWOBJ or key == _NEWOBJ_EX:
                kwargs = stack.pop() if key == _NEWOBJ_EX else {}
                args = stack.pop()
                cls = stack.pop()
                factory = self.newobj.get(cls) if isinstance(cls, type) else None
                if factory is None:
                    raise UnpicklingError("Can only create new object for nn.Parameter or classes "
                                          f"allowlisted via `add_safe_globals` but got {cls!r}")
                if not isinstance(args, tuple) or not isinstance(kwargs, dict):
                    raise UnpicklingError("NEWOBJ arguments must be a tuple and a dict")
                stack.append(factory(cls, *args, **kwargs))
            elif key == _BUILD:
                state = stack.pop()
                self.build(stack[-1], state)
            elif key == _BINPERSID:
                stack.append(self.persistent_load(stack.pop()))
            # -- framing and the end
            elif key == _PROTO:
                proto = read(1)[0]
                if proto > pickle.HIGHEST_PROTOCOL:
                    raise UnpicklingError(f"unsupported pickle protocol: {proto}")
            elif key == _FRAME:
                n = unpack("<Q", read(8))[0]
                if n > r.remaining():
                    raise UnpicklingError("pickle data was truncated (a FRAME is longer than "
                                          "the data)")
            elif key == _STOP:
                if not stack or self.metastack:
                    raise UnpicklingError("STOP with an unbalanced stack")
                return stack.pop()
            else:
                names = {v: k for k, v in _OP.items()}
                what = names.get(key)
                raise UnpicklingError(f"Unsupported operand {key}" + (
                    f" ({what}: not allowed when loading with weights_only=True)" if what else ""))


def _underflow():
    raise UnpicklingError("pickle stack underflow")


def _check_dict(target, opcode):
    if type(target) not in (dict, OrderedDict, Counter):
        raise UnpicklingError(f"Can only {opcode} for dict, collections.OrderedDict, "
                              f"collections.Counter, but got {type(target)}")
    return target


def read_simple(reader: BufferReader, encoding: str = "utf-8"):
    """Unpickle plain data only (no globals at all): the legacy format's header and key list."""
    def refuse(module, name):
        raise UnpicklingError(refused_global_message(f"{module}.{name}"))

    def no_build(inst, state):
        raise UnpicklingError("BUILD is not allowed here")

    def no_pid(pid):
        raise UnpicklingError("unsupported persistent id encountered")

    return RestrictedUnpickler(reader, find_global=refuse, callables=frozenset(), newobj={},
                               build=no_build, persistent_load=no_pid,
                               encoding=encoding).load()


def full_unpickler(pickle_module, data: bytes | io.BytesIO, find_class, persistent_load,
                   **kwargs):
    """A ``pickle_module.Unpickler`` (weights_only=False) with our find_class/persistent_load."""
    base = pickle_module.Unpickler

    class _Unpickler(base):
        def find_class(self, module, name):
            return find_class(module, name, lambda m, n: base.find_class(self, m, n))

        def persistent_load(self, pid):
            return persistent_load(pid)

    f = data if isinstance(data, io.IOBase) else io.BytesIO(data)
    return _Unpickler(f, **kwargs)
