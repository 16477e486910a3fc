"""`python -m metrics_tools <subcommand> ...`"""

import sys

from metrics_tools.cli import main

sys.exit(main())
