"""Allow `python -m profilegen`."""

from profilegen.cli.app import main

main()
