"""``python -m policy5290``: the same as the ``policy5290`` command."""

import sys

from .cli import main

sys.exit(main())
