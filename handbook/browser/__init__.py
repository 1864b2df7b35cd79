"""The checker in the reader's browser: self-hosted Pyodide, the policy-free wheel, the rulebook."""
