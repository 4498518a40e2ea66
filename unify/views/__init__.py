"""Views: projections of one :class:`unify.results.Results`, never a second evaluation.

Policy, compliance and drift (desired state), state drift, the deployment
stack, snapshot diffs and baselines. Views hold data, not text: the
renderers in :mod:`unify.render` print them.
"""
