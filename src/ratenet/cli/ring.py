"""``ratenet ring ...``: theory and simulation of the ring model."""

from __future__ import annotations

import click


@click.group()
def ring() -> None:
    """The ring model: analytic theory, simulation, attractor dynamics."""


def _register_dynamics() -> None:
    """Commands of the attractor-dynamics module (diffusion, memory, track, phase-diagram)."""
    try:
        from .ring_dynamics import register
    except ModuleNotFoundError as err:
        if err.name and err.name.endswith("ring_dynamics"):
            return
        raise
    register(ring)


_register_dynamics()
