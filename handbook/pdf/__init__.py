"""The printed editions (official text; annotated handbook), rendered with WeasyPrint."""
