"""Gantry: a fast, self-hosted internal developer portal."""

__version__ = "0.1.0"
