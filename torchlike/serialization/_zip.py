"""The zip container of torch checkpoints: writing it as torch's PyTorchStreamWriter does
(uncompressed records, each record's data aligned to 64 bytes with an ``FB`` padding extra
field, zip64 when sizes or offsets need it), and reading it defensively.
"""

from __future__ import annotations

import struct
import zipfile
import zlib

ALIGNMENT = 64
_ZIP64_LIMIT = 0xFFFFFFFF  # a module global so tests can lower it to exercise zip64
_DOS_DATE = (1980 - 1980) << 9 | 1 << 5 | 1  # 1980-01-01, what writers use for "no date"


class ZipWriter:
    """Writes stored (uncompressed) records to a stream that only needs ``write``.

    Every size and CRC is known before a record is written, so no seeking and no data
    descriptors are needed: the target may be a pipe or a socket.
    """

    def __init__(self, fp, archive_name: str):
        self.fp = fp
        self.prefix = archive_name + "/"
        self.pos = 0
        self.entries = []  # (name bytes, crc, size, header offset)

    def _write(self, b) -> None:
        self.fp.write(b)
        self.pos += len(b) if isinstance(b, bytes) else memoryview(b).nbytes

    def write_record(self, name: str, data) -> None:
        if isinstance(data, str):
            data = data.encode("utf-8")
        mv = memoryview(data).cast("B") if not isinstance(data, bytes) else data
        size = len(mv)
        crc = zlib.crc32(mv) & 0xFFFFFFFF
        fname = (self.prefix + name).encode("utf-8")
        offset = self.pos
        zip64 = size >= _ZIP64_LIMIT or offset >= _ZIP64_LIMIT
        extra = struct.pack("<HHQQ", 1, 16, size, size) if zip64 else b""
        # The 'FB' field pads the header so the data starts on an ALIGNMENT boundary.
        start = offset + 30 + len(fname) + len(extra) + 4
        pad = -start % ALIGNMENT
        extra += struct.pack("<HH", 0x4246, pad) + b"Z" * pad
        sz32 = 0xFFFFFFFF if zip64 else size
        self._write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45 if zip64 else 20, 0, 0, 0,
                                _DOS_DATE, crc, sz32, sz32, len(fname), len(extra)))
        self._write(fname)
        self._write(extra)
        if size:
            self._write(mv)
        self.entries.append((fname, crc, size, offset))

    def finish(self) -> None:
        cd_start = self.pos
        for fname, crc, size, offset in self.entries:
            fields = []
            if size >= _ZIP64_LIMIT:
                fields += [size, size]
            if offset >= _ZIP64_LIMIT:
                fields.append(offset)
            extra = struct.pack(f"<HH{len(fields)}Q", 1, 8 * len(fields), *fields) if fields \
                else b""
            sz32 = 0xFFFFFFFF if size >= _ZIP64_LIMIT else size
            off32 = 0xFFFFFFFF if offset >= _ZIP64_LIMIT else offset
            ver = 45 if fields else 20
            self._write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, ver, ver, 0, 0, 0,
                                    _DOS_DATE, crc, sz32, sz32, len(fname), len(extra), 0, 0,
                                    0, 0, off32))
            self._write(fname)
            self._write(extra)
        cd_size = self.pos - cd_start
        n = len(self.entries)
        if n >= 0xFFFF or cd_start >= _ZIP64_LIMIT or cd_size >= _ZIP64_LIMIT:
            eocd64 = self.pos
            self._write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n, cd_size,
                                    cd_start))
            self._write(struct.pack("<IIQI", 0x07064B50, 0, eocd64, 1))
            self._write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(n, 0xFFFF),
                                    min(n, 0xFFFF), min(cd_size, 0xFFFFFFFF),
                                    min(cd_start, 0xFFFFFFFF), 0))
        else:
            self._write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, cd_size, cd_start, 0))


# ---------------------------------------------------------------- reading


def _bad(msg: str) -> RuntimeError:
    return RuntimeError(f"PytorchStreamReader failed reading zip archive: {msg}")


def _unsafe_name(name: str) -> bool:
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return True
    return any(part in ("..", ".") for part in name.split("/")[:-1]) or name.endswith("/..")


class ZipReader:
    """The records of a torch checkpoint archive, keyed by their names inside ``<root>/``."""

    def __init__(self, fileobj, size: int, mm=None):
        try:
            self.zf = zipfile.ZipFile(fileobj)
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
                struct.error, NotImplementedError) as e:
            raise _bad(f"failed finding central directory ({e})") from None
        if not infos:
            raise _bad("the archive has no records")
        self.size = size
        self.mm = mm
        seen = set()
        for info in infos:
            name = info.filename
            if _unsafe_name(name):
                raise RuntimeError(f"refusing to load the checkpoint: its zip entry {name!r} has "
                                   "an unsafe path (absolute, '..' or backslashes)")
            if name in seen:
                raise RuntimeError(f"refusing to load the checkpoint: zip entry {name!r} appears "
                                   "twice")
            seen.add(name)
        first = infos[0].filename
        if "/" not in first:
            raise _bad(f"file {first!r} is not inside an archive folder, so this is not a "
                       "torch checkpoint")
        self.root = first.split("/", 1)[0]
        prefix = self.root + "/"
        self.records = {i.filename[len(prefix):]: i for i in infos
                        if i.filename.startswith(prefix)}

    def has(self, name: str) -> bool:
        return name in self.records

    def info(self, name: str):
        info = self.records.get(name)
        if info is None:
            raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not found")
        return info

    def _check(self, info) -> None:
        if info.flag_bits & 0x1:
            raise _bad(f"record {info.filename!r} is encrypted")
        if info.compress_type == zipfile.ZIP_STORED:
            if info.header_offset + info.file_size > self.size:
                raise _bad(f"record {info.filename!r} claims {info.file_size} bytes, more than "
                           "the file holds (a truncated or corrupt archive)")
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            # deflate cannot expand more than ~1032:1; a larger claim is a zip bomb.
            if info.file_size > 1100 * info.compress_size + 1024 or \
                    info.header_offset + info.compress_size > self.size:
                raise _bad(f"record {info.filename!r} claims an impossible size")
        else:
            raise _bad(f"record {info.filename!r} uses an unsupported compression method "
                       f"({info.compress_type})")

    def read(self, name: str, expected: int | None = None):
        """The bytes of a record (a memoryview into the mapped file when mmap is on)."""
        info = self.info(name)
        if expected is not None and info.file_size != expected:
            raise RuntimeError(f"the checkpoint is inconsistent: record {name} holds "
                               f"{info.file_size} bytes but its pickle describes a storage of "
                               f"{expected} bytes")
        self._check(info)
        if self.mm is not None and info.compress_type == zipfile.ZIP_STORED:
            h = info.header_offset
            head = self.mm[h:h + 30]
            if len(head) < 30 or head[:4] != b"PK\x03\x04":
                raise _bad(f"bad local header for record {info.filename!r}")
            nlen, xlen = struct.unpack("<HH", head[26:30])
            start = h + 30 + nlen + xlen
            if start + info.file_size > self.size:
                raise _bad(f"record {info.filename!r} runs past the end of the file")
            return memoryview(self.mm)[start:start + info.file_size]
        try:
            with self.zf.open(info) as f:
                data = f.read(info.file_size)
                if len(data) != info.file_size or f.read(1):
                    raise _bad(f"record {info.filename!r} does not hold the size it claims")
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError,
                struct.error) as e:
            raise _bad(f"failed reading record {info.filename!r} ({e})") from None
        return data

    def close(self) -> None:
        self.zf.close()
