"""``python -m spflint``: the command line."""

from spflint.cli import run

if __name__ == "__main__":
    run()
