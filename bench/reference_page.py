"""The reference page for bench_pages.py: what a plain Streamlit page costs on this machine, in the same
process as the app's pages. Seven Plotly Express charts of 100 points and two 100-row tables, built from a
fixed-seed frame on every run (nothing cached), as a simple dashboard page would be."""

import numpy as np
import pandas as pd
import plotly.express as px
import streamlit as st

rng = np.random.default_rng(7)
frame = pd.DataFrame({
    "x": np.arange(100), "y": rng.normal(300, 60, 100).round(1), "z": rng.normal(350, 40, 100).round(1),
    "group": np.repeat(list("ABCDE"), 20), "label": [f"row {n}" for n in range(100)],
})
st.title("Reference page")
st.plotly_chart(px.line(frame, x="x", y="y", title="line"), key="c1")
st.plotly_chart(px.bar(frame, x="x", y="z", color="group", title="bar"), key="c2")
st.plotly_chart(px.scatter(frame, x="y", y="z", color="group", title="scatter"), key="c3")
st.plotly_chart(px.histogram(frame, x="y", nbins=20, title="histogram"), key="c4")
st.plotly_chart(px.box(frame, x="group", y="z", title="box"), key="c5")
st.plotly_chart(px.area(frame, x="x", y="z", title="area"), key="c6")
st.plotly_chart(px.line_polar(frame, r="y", theta="label", line_close=True, title="polar"), key="c7")
st.dataframe(frame, hide_index=True)
st.dataframe(frame.sort_values("z", ascending=False), hide_index=True)
