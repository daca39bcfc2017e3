"""``python -m server.cli``: the ``essaim`` command."""

from server.cli.main import main

raise SystemExit(main())
