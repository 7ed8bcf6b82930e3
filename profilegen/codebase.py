"""What identifies the code that is running: records made by one version are not trusted by another."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

import profilegen

_SOURCES = (".py", ".md", ".yaml", ".txt", ".json")


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """profilegen's version and the name and content of each of its source files (2 ms): a reinstall of the same
    code — a new venv, a rebuilt container, whose files all have new modification times — keeps what the last
    runs recorded; any change to a file's content does not."""
    root = Path(profilegen.__file__).parent
    digest = hashlib.sha256(profilegen.__version__.encode("utf-8"))
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(_SOURCES):
                path = os.path.join(folder, name)
                with open(path, "rb") as source:
                    content = source.read()
                digest.update(f"\0{os.path.relpath(path, root)}\0{len(content)}\0".encode())
                digest.update(content)
    return digest.hexdigest()
