"""``python -m gandetexture``: see :mod:`gandetexture.cli`."""

import sys

from gandetexture.cli import main

if __name__ == "__main__":
    sys.exit(main())
