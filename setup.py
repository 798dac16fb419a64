"""Only the optional C extension lives here; everything else is in pyproject.toml.

`features._wordscan` speeds up the feature extractors' word search (about a third of building a
real letter's features). `optional=True`: without a C compiler the install still succeeds and
`features.text_patterns` runs the same search in pure Python.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("features._wordscan", ["features/_wordscan.c"], optional=True)])
