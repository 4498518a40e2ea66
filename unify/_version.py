"""The version of unify, in one place: the package metadata and ``unify --version`` read it."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
