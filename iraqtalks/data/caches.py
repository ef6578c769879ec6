"""File stamps and the bounded caches of the data layer: a file is read and checked again only when it changed.
"""
from __future__ import annotations

import hashlib
import time
from pathlib import Path

_RACY_NS = 3_000_000_000  # a file changed this recently may change again within one clock tick


def _stamp(path: Path):
    """A file's fingerprint for the caches (None if it does not exist).

    Normally the modification time, size and inode. A file modified in the last few seconds could
    be rewritten again within the file system's clock resolution without its time changing, so
    for such a file a hash of its bytes is added (the same idea as git's "racy" index check).
    """
    try:
        st = path.stat()
    except OSError:
        return None
    key = (st.st_mtime_ns, st.st_size, st.st_ino)
    if time.time_ns() - st.st_mtime_ns < _RACY_NS:
        try:
            key += (hashlib.blake2b(path.read_bytes(), digest_size=16).digest(),)
        except OSError:
            return None
    return key


_CACHE_SIZE = 512  # entries per cache: every table of many data folders


def _remember(cache: dict, key, value) -> None:
    if len(cache) >= _CACHE_SIZE:
        cache.pop(next(iter(cache)))  # forget the oldest entry
    cache[key] = value
