"""The progress widget: quiz completion per lab as a plotly bar chart and as a text table.

The figure is built by `completion_figure(rows)`, a pure function of the summary rows; the table
says the same in words and numbers, so nothing depends on reading a colour or a bar length.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import ipywidgets as widgets
import plotly.graph_objects as go

from vlab.learn.progress import LabProgress, ProgressStore
from vlab.learn.render import progress_rows_text, progress_table_html

PLOTLY_MIME = "application/vnd.plotly.v1+json"


def completion_figure(rows: Sequence[LabProgress]) -> go.Figure:
    """A bar per lab: percentage of its bank's questions answered correctly at least once.

    Labs without a bank show a zero-height bar labelled "no quiz".
    """
    text_rows = progress_rows_text(rows)
    labs = [r.lab for r in rows]
    percent = [0.0 if r.completion is None else round(100 * r.completion, 1) for r in rows]
    labels = [q if q != "-" else "no quiz" for _lab, _c, q, _p, _pred, _a in text_rows]
    fig = go.Figure(
        go.Bar(
            x=labs,
            y=percent,
            text=labels,
            textposition="outside",
            customdata=[[c, p, pred, a] for _lab, c, _q, p, pred, a in text_rows],
            hovertemplate="%{x}<br>completion %{customdata[0]}<br>questions %{text}"
            "<br>points %{customdata[1]}<br>predictions right %{customdata[2]}"
            "<br>attempts %{customdata[3]}<extra></extra>",
            marker_color="#0969da",
            marker_pattern_shape="/",  # texture as well as colour
            name="completion",
        )
    )
    fig.update_layout(
        title="Quiz completion per lab",
        xaxis_title="lab",
        yaxis_title="questions answered correctly (%)",
        yaxis_range=[0, 110],
        height=380,
        margin={"t": 50, "b": 120},
        showlegend=False,
    )
    return fig


def figure_output(fig: go.Figure) -> dict:
    """The figure as a display_data output (plotly's MIME type), for an Output widget."""
    return {
        "output_type": "display_data",
        "data": {PLOTLY_MIME: {**json.loads(fig.to_json()), "config": {"displaylogo": False}},
                 "text/plain": "Quiz completion per lab (bar chart; see the table below)"},
        "metadata": {},
    }


class ProgressWidget(widgets.VBox):
    """Completion per lab for one learner: chart, table and a Refresh button.

    banks: {lab: {question id: points}} to compare against (default: datasets/quizzes).
    """

    def __init__(self, learner: str | None = None, store: ProgressStore | None = None,
                 banks: Mapping[str, Mapping[str, float]] | None = None) -> None:
        self.learner = learner
        self._store = store
        self._banks = banks
        self.rows: list[LabProgress] = []
        self.figure: go.Figure | None = None
        self.refresh_button = widgets.Button(description="Refresh",
                                             tooltip="Read the progress store again")
        self.refresh_button.add_class("vlab-progress-refresh")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.plot = widgets.Output()
        self.plot.add_class("vlab-progress-plot")
        self.table = widgets.HTML("")
        self.table.add_class("vlab-progress-table")
        super().__init__([self.refresh_button, self.plot, self.table])
        self.add_class("vlab-progress")
        self.refresh()

    def refresh(self) -> list[LabProgress]:
        if self._store is None:
            self._store = ProgressStore(learner=self.learner)
        self.rows = self._store.summary(banks=self._banks)
        self.figure = completion_figure(self.rows)
        self.plot.outputs = (figure_output(self.figure),)
        self.table.value = progress_table_html(self.rows)
        return self.rows
