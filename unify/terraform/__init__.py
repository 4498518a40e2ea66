"""Terraform plans and states as unify resources, in the live collectors' shapes.

The readers here are generic: how each type's values are shaped, which side
resources fold into it and which attributes only an observation sees come
from the type declarations in :mod:`unify.aws`, passed in as
:class:`unify.model.resource_type.ResourceTypes`.
"""
