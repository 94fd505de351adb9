"""``python -m spflint``: the command line."""

from spflint.cli import main

if __name__ == "__main__":
    main(prog_name="spflint")
