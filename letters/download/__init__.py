"""Downloader for public DWC IMR decision letters (`imr fetch`).

Layout knowledge about the DWC results page lives only in `search_results.py`, so a site change is
fixed in one small module; everything else (politeness, resumption, verification) is site-agnostic.
"""
