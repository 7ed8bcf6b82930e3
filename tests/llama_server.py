"""llama.cpp's real `llama-server` for the tests: built from the llama.cpp source that the llama-cpp-python
sdist on PyPI vendors (a pinned version), cached outside the repo by version (`~/.cache/profilegen-test/`), rebuilt when
missing. `python -m tests.llama_server` builds it ahead of the tests (what `make test` does).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

CACHE = Path(os.environ.get("PROFILEGEN_TEST_CACHE", Path.home() / ".cache" / "profilegen-test"))
# Pinned: the tiny model's answers depend on llama.cpp's sampling and grammar code; a new release is a
# deliberate change of this line (and one rebuild).
VERSION = "0.3.36"
CMAKE_FLAGS = [
    "-DCMAKE_BUILD_TYPE=Release",
    "-DGGML_NATIVE=OFF",
    "-DLLAMA_CURL=OFF",
    "-DLLAMA_OPENSSL=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
    "-DBUILD_SHARED_LIBS=OFF",
]


def missing_tools() -> list[str]:
    """What the build needs that this machine lacks (the tests skip, loudly, only for these)."""
    return [tool for tool in ("cmake", "c++") if shutil.which(tool) is None]


def _sdist() -> Path:
    sdist = CACHE / f"llama_cpp_python-{VERSION}.tar.gz"
    if not sdist.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-binary",
                ":all:",
                "--no-deps",
                "-q",
                "-d",
                str(CACHE),
                f"llama-cpp-python=={VERSION}",
            ],
            check=True,
        )
    return sdist


def source() -> Path:
    """The vendored llama.cpp source tree of the pinned sdist (downloaded once)."""
    sdist = _sdist()
    version = VERSION
    tree = CACHE / f"llama.cpp-{version}"
    if not (tree / "CMakeLists.txt").exists():
        unpacked = CACHE / f"unpack-{version}"
        shutil.rmtree(unpacked, ignore_errors=True)
        with tarfile.open(sdist) as archive:
            archive.extractall(unpacked, filter="data")
        shutil.rmtree(tree, ignore_errors=True)
        (unpacked / f"llama_cpp_python-{version}" / "vendor" / "llama.cpp").rename(tree)
        shutil.rmtree(unpacked, ignore_errors=True)
    return tree


def server_binary() -> Path:
    """`llama-server`, built once per llama.cpp version (about 6 minutes on two cores)."""
    tree = source()
    binary = tree / "build" / "bin" / "llama-server"
    if not binary.exists():
        build = tree / "build"
        print(
            f"building llama.cpp's llama-server {VERSION} for the tests, once (about 6 minutes on two idle cores; "
            f"cached in {CACHE})",
            file=sys.stderr,
            flush=True,
        )
        _quietly(["cmake", "-S", str(tree), "-B", str(build), *CMAKE_FLAGS])
        jobs = str(os.cpu_count() or 2)
        _quietly(["cmake", "--build", str(build), "--target", "llama-server", "-j", jobs], progress=True)
    return binary


def _quietly(command: list[str], progress: bool = False) -> None:
    """Run a build step: its progress every tenth, its chatter (git's `fatal: not a git repository` of a
    source tree without .git) only when the step fails."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    lines: list[str] = []
    shown = -10
    for line in proc.stdout:
        lines.append(line)
        percent = line[1:4].strip() if line.startswith("[") and line[4:6] == "%]" else ""
        if progress and percent.isdigit() and int(percent) >= shown + 10:
            shown = int(percent) // 10 * 10
            print(f"  llama-server build: {shown} %", file=sys.stderr, flush=True)
    if proc.wait() != 0:
        sys.stderr.write("".join(lines[-60:]))
        raise subprocess.CalledProcessError(proc.returncode, command)


def vocab() -> Path:
    """llama.cpp's vocab-only Qwen2 GGUF: a real tokenizer without weights."""
    return source() / "models" / "ggml-vocab-qwen2.gguf"


if __name__ == "__main__":
    absent = missing_tools()
    if absent:
        print(f"llama-server not built: {', '.join(absent)} missing", file=sys.stderr)
        sys.exit(0)
    print(server_binary())
