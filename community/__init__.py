"""Analysis of weight graphs built by :mod:`wiring` (filled by the community issue)."""
