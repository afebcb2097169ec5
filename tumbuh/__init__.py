"""Tumbuh: the district platform for stunting-reduction convergence."""

__version__ = "0.1.0"
