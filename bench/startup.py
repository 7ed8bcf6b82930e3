"""CLI start-up: `profilegen --version` and `--help` against a minimal Typer app, whole processes, best of 7.

Run: .venv/bin/python -m bench.startup
"""

from __future__ import annotations

import subprocess
import sys
import time

import bench.common  # noqa: F401 - byte-compiles profilegen first, as pip install does

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
    minimal = best([sys.executable, "-c", MINIMAL, "--help"], 11)
    help_ = best([sys.executable, "-m", "profilegen", "--help"], 11)
    minimal_run = best([sys.executable, "-c", MINIMAL, "hello"])
    version = best([sys.executable, "-m", "profilegen", "--version"])
    generate_help = best([sys.executable, "-m", "profilegen", "generate", "--help"])
    print(
        f"start-up: profilegen --help {help_ * 1000:.0f} ms vs a minimal two-command Typer app's --help "
        f"{minimal * 1000:.0f} ms, ratio {help_ / minimal:.2f}x (goal <= 1.2x); profilegen --version "
        f"{version * 1000:.0f} ms vs the minimal app running a command {minimal_run * 1000:.0f} ms "
        f"({version / minimal_run:.2f}x); profilegen generate --help {generate_help * 1000:.0f} ms "
        f"({generate_help / minimal:.2f}x the minimal --help)"
    )


if __name__ == "__main__":
    main()
