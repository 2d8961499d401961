"""`python -m flightrisk` runs the command line."""

from flightrisk.cli import main

main()
