"""``python -m microgrand demo``: the same as the ``microgrand`` command."""

from .cli import main

raise SystemExit(main())
