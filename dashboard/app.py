"""NerveSim teaching dashboard: ``streamlit run dashboard/app.py`` (or ``make dashboard``).

A thin layer over the public simulation API: every page calls :func:`dashboard.common.banner`
first, runs go through the caches of :mod:`dashboard.runs`, and no biology lives here.

The page modules live in ``views/``, not ``pages/``: Streamlit treats a ``pages/`` folder beside
the entry script as a legacy multipage app until ``st.navigation`` first runs, so a deep link
(``/tissue``) as a fresh server's first request would run the page without this script.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run` puts only this folder on the path
    sys.path.insert(0, str(ROOT))

from dashboard.common import start_defaults  # noqa: E402  (needs the path above)

st.set_page_config(page_title="NerveSim — teaching dashboard", page_icon="🧠", layout="wide")
start_defaults()  # ?seeds=2&days=7 on any page sets Compare's starting values for the session

PAGES = [
    st.Page("views/compare.py", title="Compare", icon=":material/compare_arrows:", default=True),
    st.Page("views/tissue.py", title="Tissue", icon=":material/grid_on:", url_path="tissue"),
    st.Page("views/learn.py", title="Learn", icon=":material/school:", url_path="learn"),
    st.Page("views/cohort.py", title="Cohort", icon=":material/groups:", url_path="cohort"),
    st.Page("views/sweeps.py", title="Sweeps", icon=":material/tune:", url_path="sweeps"),
    st.Page(
        "views/evidence.py", title="Evidence", icon=":material/fact_check:", url_path="evidence"
    ),
]

st.navigation(PAGES).run()
