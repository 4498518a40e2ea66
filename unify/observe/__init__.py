"""Live observation: the concurrent boto3 pass, its session and coverage, progress, and the embedded demo.

The observer names no AWS service and no resource type: what to call and how
to read each answer is declared by the collectors in :mod:`unify.aws`,
passed in as a :class:`unify.observe.collector.CollectorRegistry`.
"""
