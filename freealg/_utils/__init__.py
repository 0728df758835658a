"""Private utilities shared by every layer of freealg (validation of
arguments, numeric kinds, precision contexts, safe parsing).

Nothing here is public API; the public names live in :mod:`freealg`.
"""
