"""``python -m sandbox``: see :mod:`sandbox.launcher`."""

from sandbox.launcher import main

raise SystemExit(main())
