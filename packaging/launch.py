"""Entry script of the frozen app (packaging/linepaint.spec): the ``linepaint`` command."""

import multiprocessing
import sys

from linepaint.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen child process must not start the app again
    sys.exit(main())
