#!/usr/bin/env python
"""Django's command-line utility; ``tumbuh`` (installed with the package) does the same."""

import sys

from tumbuh.cli import main

if __name__ == "__main__":
    sys.exit(main())
