"""The parts of the embedded demo estate, one module per service group (see ``unify/observe/demo_seeder.py``).

A new part is a module here with a ``PART`` (a :class:`DemoPart`), added to
``PARTS`` below; the demo seeds them in this order.
"""

from __future__ import annotations

from unify.observe.demo_estate import data, identity, monitoring, network, serverless, stack
from unify.observe.demo_seeder import DemoPart

__all__ = ["PARTS"]

PARTS: tuple[DemoPart, ...] = (
    identity.PART,
    monitoring.PART,
    network.PART,
    serverless.PART,
    data.PART,
    stack.PART,
)
