"""imr-triage's command line (`imr`): the thin layer that ties letters, features, model, training and serving.

Nothing below imports this package; the version comes from the installed distribution's metadata.
"""

from importlib.metadata import version

__version__ = version("imr-triage")
