"""Build tooling for the Policy 5290 handbook: load and validate ``policy_src/``, render the
official text, compile the checker's rulebook, and feed the MkDocs macros and the PDFs."""
