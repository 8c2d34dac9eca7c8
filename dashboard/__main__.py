"""``python -m dashboard [streamlit options]``: the teaching dashboard, workers started first.

``streamlit run`` executes the app's script only when a browser opens a page, so the worker
processes that run the simulations (each imports NerveSim and loads its compiled kernels) would
only start then, in front of the first comparison. Started here, with the server, they are
ready by the time a teacher has opened the page, and they start on the start page's default
comparison at once. Everything else is ``streamlit run dashboard/app.py`` with the options
below (bound to 127.0.0.1; pass more to override).
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"
#: The server's defaults: this machine only, no telemetry, 1 MB uploads at most.
OPTIONS = [
    "--server.headless", "true",
    "--server.address", "127.0.0.1",
    "--browser.gatherUsageStats", "false",
    "--client.toolbarMode", "minimal",
    "--server.maxUploadSize", "1",
]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Start the worker pool, then serve the app (returns when the server stops)."""
    from streamlit.web import cli

    from dashboard.inflight import start_default
    from dashboard.pool import prewarm

    prewarm()
    # The start page's default comparison, started now: by the time a teacher opens the page
    # its runs are under way (the page picks them up instead of starting them).
    threading.Thread(target=start_default, name="start-default", daemon=True).start()
    sys.argv = ["streamlit", "run", str(APP), *OPTIONS, *(sys.argv[1:] if argv is None else argv)]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
