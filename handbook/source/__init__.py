"""Reading a policy's source folder and validating it: every problem with file, line and place."""
