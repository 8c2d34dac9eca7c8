"""The NerveSim teaching dashboard: a thin Streamlit layer over the public simulation API."""
