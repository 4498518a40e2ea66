"""pytest --unify: unify's checks as pytest items (see pytest_unify.plugin)."""
