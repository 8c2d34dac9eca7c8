"""Results on disk: Parquet files written atomically, with NerveSim metadata inside."""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulation._version import ILLUSTRATIVE_LABEL

#: The key under which NerveSim stores its metadata in a Parquet file's schema.
METADATA_KEY = b"nervesim"


def named(err: OSError, path: str | Path) -> OSError:
    """``err`` as an OSError naming ``path`` (``<path>: No space left on device`` once shown by
    :func:`simulation.cli.common.error_line`): a failed write names the file it was writing."""
    code = err.errno
    if code is None:  # pyarrow's errors carry the errno in their text only
        found = re.search(r"\[errno (\d+)\]", str(err), re.IGNORECASE)
        code = int(found[1]) if found else None
    text = os.strerror(code) if code else " ".join(str(err).split()) or type(err).__name__
    out = OSError(code, text, str(path))
    out.strerror = text  # errno None would leave it unset
    return out


def os_error_text(err: OSError) -> str:
    """An OSError as one line, its path first: ``<path>: No space left on device``."""
    where = f"{err.filename}: " if err.filename else ""
    return f"{where}{err.strerror or err}"


def write_parquet(frame: pd.DataFrame, path: str | Path, metadata: dict[str, Any]) -> Path:
    """Write ``frame`` to ``path`` atomically (temp name, then rename) with ``metadata``.

    The metadata always carries the illustrative label.

    Raises:
        OSError: the write failed; it names ``path`` and nothing is left at the temp name.
    """
    path = Path(path)
    try:
        return _write_parquet(frame, path, metadata)
    except OSError as err:
        raise named(err, path) from None


def _write_parquet(frame: pd.DataFrame, path: Path, metadata: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {**metadata, "label": ILLUSTRATIVE_LABEL}
    table = pa.Table.from_pandas(frame, preserve_index=False)
    schema_meta = dict(table.schema.metadata or {})
    schema_meta[METADATA_KEY] = json.dumps(meta, default=str).encode()
    table = table.replace_schema_metadata(schema_meta)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise
    return path


def read_metadata(path: str | Path) -> dict[str, Any]:
    """The NerveSim metadata stored in a Parquet file."""
    meta = pq.read_schema(path).metadata or {}
    return json.loads(meta.get(METADATA_KEY, b"{}"))


def write_json(path: str | Path, payload: dict[str, Any]) -> Path:
    """Write ``payload`` as indented JSON to ``path`` atomically (temp name, then rename).

    Raises:
        OSError: the write failed; it names ``path`` and nothing is left at the temp name.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(payload, indent=1, default=str) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise named(err, path) from None
        raise
    return path
