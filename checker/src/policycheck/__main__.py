"""``python -m policycheck``: the same as the ``policycheck`` command."""

import sys

from .cli import main

sys.exit(main())
