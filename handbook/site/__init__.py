"""The handbook website: MkDocs hooks and macros that render every page from the bundle."""
