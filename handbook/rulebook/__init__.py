"""The rule source compiled into a rulebook for the generic checker (``policycheck``)."""
