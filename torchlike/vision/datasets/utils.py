"""torchvision.datasets.utils: integrity checks, downloads and archive extraction."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import os
import pathlib
import tarfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterable

USER_AGENT = "pytorch/vision"
# seconds before a download attempt gives up, so an offline machine fails instead of hanging
DOWNLOAD_TIMEOUT = 30.0


def calculate_md5(fpath, chunk_size: int = 1024 * 1024) -> str:
    """torchvision.datasets.utils.calculate_md5."""
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        while chunk := f.read(chunk_size):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5: str, **kwargs) -> bool:
    """torchvision.datasets.utils.check_md5."""
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath, md5: str | None = None) -> bool:
    """torchvision.datasets.utils.check_integrity: the file exists (and has this md5)."""
    if not os.path.isfile(fpath):
        return False
    return True if md5 is None else check_md5(fpath, md5)


def _urlretrieve(url, filename, chunk_size: int = 1024 * 32) -> None:
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(req, timeout=DOWNLOAD_TIMEOUT) as resp, \
            open(filename, "wb") as fh:
        while chunk := resp.read(chunk_size):
            fh.write(chunk)


def download_url(url: str, root, filename=None, md5: str | None = None,
                 max_redirect_hops: int = 3) -> None:
    """torchvision.datasets.utils.download_url (no Google Drive support)."""
    root = os.path.expanduser(root)
    filename = filename or os.path.basename(url)
    fpath = os.fspath(os.path.join(root, filename))
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        return
    try:
        _urlretrieve(url, fpath)
    except (urllib.error.URLError, OSError) as e:
        if url[:5] != "https":
            _remove_partial(fpath)
            raise e
        try:
            _urlretrieve(url.replace("https:", "http:"), fpath)
        except (urllib.error.URLError, OSError):
            _remove_partial(fpath)
            raise e from None
    if not check_integrity(fpath, md5):
        raise RuntimeError("File not found or corrupted.")


def _remove_partial(fpath):
    try:
        os.remove(fpath)
    except OSError:
        pass


def list_dir(root, prefix: bool = False) -> list[str]:
    """torchvision.datasets.utils.list_dir."""
    root = os.path.expanduser(root)
    dirs = [p for p in os.listdir(root) if os.path.isdir(os.path.join(root, p))]
    return [os.path.join(root, d) for d in dirs] if prefix else dirs


def list_files(root, suffix: str, prefix: bool = False) -> list[str]:
    """torchvision.datasets.utils.list_files."""
    root = os.path.expanduser(root)
    files = [p for p in os.listdir(root)
             if os.path.isfile(os.path.join(root, p)) and p.endswith(suffix)]
    return [os.path.join(root, d) for d in files] if prefix else files


_ARCHIVES = (".tar", ".zip")
_COMPRESSED = {".bz2": bz2.open, ".gz": gzip.open, ".xz": lzma.open}
_ALIASES = {".tbz": (".tar", ".bz2"), ".tbz2": (".tar", ".bz2"), ".tgz": (".tar", ".gz")}


def _detect_file_type(file):
    suffixes = pathlib.Path(file).suffixes
    if not suffixes:
        raise RuntimeError(f"File '{file}' has no suffixes that could be used to detect the "
                           "archive type and compression.")
    suffix = suffixes[-1]
    if suffix in _ALIASES:
        return (suffix, *_ALIASES[suffix])
    if suffix in _ARCHIVES:
        return suffix, suffix, None
    if suffix in _COMPRESSED:
        if len(suffixes) > 1 and suffixes[-2] in _ARCHIVES:
            return suffixes[-2] + suffix, suffixes[-2], suffix
        return suffix, None, suffix
    valid = sorted(set(_ALIASES) | set(_ARCHIVES) | set(_COMPRESSED))
    raise RuntimeError(f"Unknown compression or archive type: '{suffix}'.\n"
                       f"Known suffixes are: '{valid}'.")


def extract_archive(from_path, to_path=None, remove_finished: bool = False):
    """torchvision.datasets.utils.extract_archive (tar, zip, gz, bz2, xz)."""
    if to_path is None:
        to_path = os.path.dirname(from_path)
    suffix, archive, compression = _detect_file_type(from_path)
    if not archive:
        out = os.path.join(to_path, os.path.basename(from_path).replace(suffix, ""))
        with _COMPRESSED[compression](from_path, "rb") as r, open(out, "wb") as w:
            w.write(r.read())
        ret = pathlib.Path(out)
    else:
        if archive == ".tar":
            mode = f"r:{compression[1:]}" if compression else "r"
            # the "data" filter refuses members that would land outside to_path
            kw = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            with tarfile.open(from_path, mode) as tar:
                tar.extractall(to_path, **kw)
        else:
            with zipfile.ZipFile(from_path, "r") as z:
                z.extractall(to_path)
        ret = pathlib.Path(to_path)
    if remove_finished:
        os.remove(from_path)
    return os.fspath(ret) if isinstance(from_path, str) else ret


def download_and_extract_archive(url: str, download_root, extract_root=None, filename=None,
                                 md5: str | None = None, remove_finished: bool = False) -> None:
    """torchvision.datasets.utils.download_and_extract_archive."""
    download_root = os.path.expanduser(download_root)
    extract_root = extract_root or download_root
    filename = filename or os.path.basename(url)
    download_url(url, download_root, filename, md5)
    extract_archive(os.path.join(download_root, filename), extract_root, remove_finished)


def iterable_to_str(iterable: Iterable) -> str:
    return "'" + "', '".join(str(x) for x in iterable) + "'"


def verify_str_arg(value, arg=None, valid_values=None, custom_msg=None):
    """torchvision.datasets.utils.verify_str_arg."""
    if not isinstance(value, str):
        what = "" if arg is None else f" for argument {arg}"
        raise ValueError(f"Expected type str{what}, but got type {type(value)}.")
    if valid_values is None or value in valid_values:
        return value
    if custom_msg is not None:
        raise ValueError(custom_msg)
    raise ValueError(f"Unknown value '{value}' for argument {arg}. "
                     f"Valid values are {{{iterable_to_str(valid_values)}}}.")
