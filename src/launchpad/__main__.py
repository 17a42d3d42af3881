import sys

from launchpad.cli import main

sys.exit(main())
