"""Noncommutative polynomials: letters, words, ``NCPoly``, ``Trace`` and the expression parser."""
