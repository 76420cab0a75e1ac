"""``python -m linepaint`` is the ``linepaint`` command."""

import sys

from linepaint.cli import main

sys.exit(main())
