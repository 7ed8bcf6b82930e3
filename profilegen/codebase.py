"""What identifies the code that is running: records made by one version are not trusted by another."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

import profilegen


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """profilegen's version and the name, size and modification time of each of its source files."""
    root = Path(profilegen.__file__).parent
    entries = [profilegen.__version__]
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".md", ".yaml", ".txt", ".json")):
                info = os.stat(os.path.join(folder, name))
                entries.append(f"{os.path.relpath(os.path.join(folder, name), root)}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(entries).encode("utf-8")).hexdigest()
