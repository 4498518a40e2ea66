"""The pytest plugin, registered under the ``pytest11`` entry point.

It stays inert unless ``--unify`` is given, so installing unify changes
nothing in a project's existing pytest runs.
"""
