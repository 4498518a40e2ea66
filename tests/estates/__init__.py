"""Estates for the both-ways test, one module per service group; each module has a list ``ESTATES``.

See ``tests/both_ways.py`` for what an estate is and how it is judged.
"""
