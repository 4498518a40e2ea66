"""The resource model: resources, resource-type declarations, the snapshot format, policy documents.

Everything every other part of unify reads and nothing it depends on: this
package imports no other part of unify besides the typed errors and
``unify._files``.
"""
