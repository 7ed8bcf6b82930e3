"""CLI start-up: `profilegen --version` and `--help` against a minimal Typer app, whole processes, best of 7.

Run: .venv/bin/python -m bench.startup
"""

from __future__ import annotations

import subprocess
import sys
import time

MINIMAL = """
import typer
app = typer.Typer()
@app.command()
def hello(name: str = "x") -> None:
    print(name)
@app.command()
def other() -> None:
    pass
app()
"""


def best(args: list[str], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    minimal = best([sys.executable, "-c", MINIMAL, "hello"])
    version = best([sys.executable, "-m", "profilegen", "--version"])
    help_ = best([sys.executable, "-m", "profilegen", "generate", "--help"])
    print(
        f"start-up: minimal Typer app {minimal * 1000:.0f} ms; profilegen --version {version * 1000:.0f} ms "
        f"(ratio {version / minimal:.2f}x); profilegen generate --help {help_ * 1000:.0f} ms "
        f"(ratio {help_ / minimal:.2f}x)"
    )


if __name__ == "__main__":
    main()
