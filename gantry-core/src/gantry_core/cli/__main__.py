"""`python -m gantry_core.cli` runs the `gantry` command."""

from gantry_core.cli import main

main()
