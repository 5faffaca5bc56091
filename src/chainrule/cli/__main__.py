"""``python -m chainrule.cli``: the same command as ``python -m chainrule``."""

import sys

from . import main

sys.exit(main())
