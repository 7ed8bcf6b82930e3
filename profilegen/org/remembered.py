"""The organisation as last parsed, kept in the state folder: a large org file found unchanged is not parsed
again (100,000 rows took 2–3 s of a quiet night's 14; taken from here, 0.3 s).

The record is keyed by the file's path and a digest of its bytes (those just read: what would be parsed is
what is looked up), the sheet and column settings and profilegen's own code, so an org that changed in any way, or
another version of the code, parses the file anew. A record that cannot be read or written only costs that
parse. It is pickled, as the check's records are, in the state folder (profilegen's own, made private).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from profilegen.codebase import code_stamp

RECORD = "org-parsed.pickle"
FORMAT = 1


def parse_key(path: Path, sha256: str, sheet: str | None, columns: Mapping[str, object] | None) -> str:
    """What a parse depends on: the file (its name is in the org and its problems), the digest of its bytes,
    how they are read, and the code reading them."""
    how = [FORMAT, code_stamp(), str(path), sha256, sheet, dict(columns or {})]
    return hashlib.sha256(json.dumps(how, default=str, sort_keys=True).encode()).hexdigest()
