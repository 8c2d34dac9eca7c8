"""Where Numba keeps its compiled kernels: one folder per version of the compiled source.

Numba's on-disk cache (``cache=True``) checks only the file of the function it compiled, so a
kernel that calls a compiled rule from another module (every cell type's turn calls
:mod:`simulation.engine.moves` and :mod:`simulation.agents.mechanisms.vesicles`) would keep
running the old rule after that module changed. :func:`use_versioned_cache_dir` points
``NUMBA_CACHE_DIR`` at a folder named after the size and modification time of every source file
of the packages with kernels, so an edit anywhere starts a fresh cache, and drops the folders of
older versions. It must run before Numba is imported; a ``NUMBA_CACHE_DIR`` set by the user wins.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent
#: Packages whose modules hold compiled (Numba) code.
_COMPILED = ("agents", "engine", "fields")


def source_key(root: Path = _ROOT) -> str:
    """A short digest of the size and modification time of each compiled package's sources."""
    digest = hashlib.sha1()
    for package in _COMPILED:
        for path in sorted((root / package).rglob("*.py")):
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:12]


def use_versioned_cache_dir() -> None:
    """Set ``NUMBA_CACHE_DIR`` to this source version's folder (see the module docstring)."""
    if "NUMBA_CACHE_DIR" in os.environ or "numba" in sys.modules:
        return
    base = _ROOT / "__pycache__" / "numba"
    folder = base / source_key()
    if not folder.is_dir():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for old in base.iterdir():
                if old != folder:
                    shutil.rmtree(old, ignore_errors=True)
        except OSError:  # a read-only install: Numba falls back to its own choice
            return
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
