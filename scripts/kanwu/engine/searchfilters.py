"""Pagefind's filter files, written in a fixed order so that a bundle is byte-reproducible.

Pagefind 1.5.2 keeps a filter's values in a hash map and writes them in its iteration order,
which changes from run to run: the same pages give other filter files, under other names, and so
another metadata file and ``pagefind-entry.json``. Each file is gzip of ``pagefind_dcd`` followed
by CBOR (read and written here with cbor2, which round-trips Pagefind's files byte for byte):

- a filter file: ``[name, [[value, [page numbers…]], …]]``;
- the metadata: ``[version, pages, index chunks, [[filter name, filter file hash], …], sorts, …]``.

``normalise`` sorts the values of each filter and the filters in the metadata, gives each file it
rewrites a name from its content (as Pagefind does: language, then a hash) and points the
metadata and the entry file at the new names. The values, page numbers and everything else are
left as Pagefind wrote them.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os

import cbor2

SIGNATURE = b"pagefind_dcd"


def _read(path: str):
    with open(path, "rb") as fh:
        raw = gzip.decompress(fh.read())
    if not raw.startswith(SIGNATURE):
        raise ValueError(f"{path}: not a Pagefind file")
    return cbor2.loads(raw[len(SIGNATURE):])


def _encode(data) -> bytes:
    return gzip.compress(SIGNATURE + cbor2.dumps(data), compresslevel=9, mtime=0)


def _name(language: str, data: bytes, digits: int) -> str:
    return f"{language}_{hashlib.sha256(data).hexdigest()[:digits]}"


def normalise(bundle: str) -> None:
    """Rewrite the filter files of the Pagefind bundle in the folder ``bundle`` in a fixed order."""
    entry_path = os.path.join(bundle, "pagefind-entry.json")
    with open(entry_path, encoding="utf-8") as fh:
        entry = json.load(fh)
    changed = False
    for language, info in sorted(entry["languages"].items()):
        meta_path = os.path.join(bundle, f"pagefind.{info['hash']}.pf_meta")
        meta = _read(meta_path)
        if len(meta) < 4 or not meta[3]:
            continue
        renamed = []
        for name, digest in meta[3]:
            path = os.path.join(bundle, "filter", f"{digest}.pf_filter")
            data = _read(path)
            data[1] = sorted(data[1], key=lambda value: value[0])
            blob = _encode(data)
            new = _name(language, blob, 7)
            if new != digest:
                with open(os.path.join(bundle, "filter", f"{new}.pf_filter"), "wb") as fh:
                    fh.write(blob)
                os.unlink(path)
            renamed.append([name, new])
        meta[3] = sorted(renamed)
        blob = _encode(meta)
        new = _name(language, blob, 15)
        if new != info["hash"]:
            with open(os.path.join(bundle, f"pagefind.{new}.pf_meta"), "wb") as fh:
                fh.write(blob)
            os.unlink(meta_path)
            info["hash"] = new
            changed = True
    if changed:
        tmp = entry_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(entry, fh, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, entry_path)
