"""`python -m engine`: the `durability` command."""

from .cli import main

if __name__ == "__main__":  # worker processes started by spawn import this module again: they must not run it
    main(prog_name="durability")
