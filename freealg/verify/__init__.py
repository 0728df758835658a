"""Theory against simulation (being split into modules by concept)."""
from .spectra import *  # noqa: F401,F403
from .spectra import __all__, __doc__  # noqa: F401
