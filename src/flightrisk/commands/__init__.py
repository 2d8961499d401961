"""One module per command group: the IO edge of the commands (cli.py only parses)."""
