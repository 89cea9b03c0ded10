"""Synthetic landing zone generator with ground truth (see generate.py). Imports nothing from the pipeline."""

from .generate import generate

__all__ = ["generate"]
