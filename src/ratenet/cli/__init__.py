"""The ``ratenet`` command line: a thin layer over the library.

Each family of commands lives in its own module and is registered here.
"""

from __future__ import annotations

import click

from .._version import __version__
from ._common import RatenetGroup


@click.group(cls=RatenetGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ratenet")
def main() -> None:
    """Firing-rate network models: the ring model, E-I populations, the E-I ring and
    threshold-linear networks.

    \b
    Examples:
      ratenet ring theory --j0 -2 --j1 1.5 --h0 1 --eps 0.1 --json
      ratenet ring simulate --j0 -2 --j1 3 --h0 1 --plot bump.png
      ratenet ei analyze --tau-i 50 --json
      ratenet tutorial --out out/tutorial
    """


def _register() -> None:
    import importlib

    for mod, attr in (("ring", "ring"), ("ei", "ei"), ("tutorial", "tutorial"),
                      ("explore", "explore"), ("sweep", "sweep"), ("tln", "tln"),
                      ("ring_ei", "ring_ei")):
        try:
            module = importlib.import_module(f"{__name__}.{mod}")
        except ModuleNotFoundError as err:  # a family not written yet
            if err.name and err.name.startswith(f"{__name__}.{mod}"):
                continue
            raise
        main.add_command(getattr(module, attr))


_register()
