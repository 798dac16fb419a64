"""imr-triage: pre-review prediction of California workers' compensation IMR outcomes.

This small core holds what every lifecycle package shares (version, paths, settings); the
lifecycle packages are `features`, `training` and `serving`.
"""

__version__ = "0.1.0"
