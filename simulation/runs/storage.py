"""Results on disk: Parquet files written atomically, with NerveSim metadata inside."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulation._version import ILLUSTRATIVE_LABEL

#: The key under which NerveSim stores its metadata in a Parquet file's schema.
METADATA_KEY = b"nervesim"


@contextmanager
def naming(path: Path) -> Iterator[None]:
    """Let an OS error while writing ``path`` name it: pyarrow's name no file, and a failed
    write or rename names the temporary file, not the one the user asked for."""
    try:
        yield
    except OSError as exc:
        if exc.filename == str(path):
            raise
        reason = os.strerror(exc.errno) if exc.errno else exc.strerror or str(exc)
        raise OSError(exc.errno, reason, str(path)) from exc


def write_parquet(frame: pd.DataFrame, path: str | Path, metadata: dict[str, Any]) -> Path:
    """Write ``frame`` to ``path`` atomically (temp name, then rename) with ``metadata``.

    The metadata always carries the illustrative label.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)  # its errors name the folder
    meta = {**metadata, "label": ILLUSTRATIVE_LABEL}
    table = pa.Table.from_pandas(frame, preserve_index=False)
    schema_meta = dict(table.schema.metadata or {})
    schema_meta[METADATA_KEY] = json.dumps(meta, default=str).encode()
    table = table.replace_schema_metadata(schema_meta)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with naming(path):
            pq.write_table(table, tmp)
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def read_metadata(path: str | Path) -> dict[str, Any]:
    """The NerveSim metadata stored in a Parquet file."""
    meta = pq.read_schema(path).metadata or {}
    return json.loads(meta.get(METADATA_KEY, b"{}"))


def write_json(path: str | Path, payload: dict[str, Any]) -> Path:
    """Write ``payload`` as indented JSON to ``path`` atomically (temp name, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)  # its errors name the folder
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with naming(path):
            tmp.write_text(json.dumps(payload, indent=1, default=str) + "\n", encoding="utf-8")
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
