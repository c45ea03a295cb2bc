"""Lab 08's panels: paste a .vmx and see the hardening audit; set a host's security options and see
which pass and what a compromised guest could do.

Pure functions (unit-tested without a browser): `results_frame`, `status_figure`, `audit_summary`,
`host_frame`, `exposure_frame`, `seed_map_frame`. The widgets only wire them:
`HardeningPanel` (a text area and a profile choice -> table and bar chart, over
vlab.models.security.hardening) and `HostHardeningPanel` (a drop-down per host setting -> table, over
vlab.models.security.host_hardening).
CSS classes: vlab-hardening-panel, vlab-hardening-table, vlab-hardening-plot, vlab-host-panel.
"""
from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from vlab.formats.dictfile import parse_dictfile
from vlab.knowledge.hardening import PROFILES, hardening_rules, host_settings
from vlab.models.security.hardening import Result, audit, counts
from vlab.models.security.host_hardening import Exposure, HostResult, audit_host, vswitch_exposure
from vlab.widgets.progress import figure_output

_MARK = {"pass": "✓ pass", "not_present": "– not set (default complies)", "fail": "✗ FAIL",
         "not_applicable": "○ not applicable to this VM"}
_COLOUR = {"pass": "#1a7f37", "not_present": "#8c959f", "fail": "#cf222e",
           "not_applicable": "#d0d7de"}
_SEVERITY_ORDER = ("high", "medium", "low", "info")
PROFILE_SETS = {
    "baseline (SCG 8)": ("baseline",),
    "+ advanced": ("baseline", "advanced"),
    "+ legacy (5.x/6.x)": PROFILES,
}


def results_frame(results: Sequence[Result]) -> pd.DataFrame:
    """One row per rule: verdict, key, what it is, the value read, what is expected, why it failed."""
    rows = [{
        "verdict": _MARK[r.status], "key": r.rule.key, "rule": r.rule.title,
        "actual": "" if r.actual is None else r.actual, "expected": r.expected,
        "severity": r.rule.severity, "control": r.rule.rule_id,
        "message": r.message if r.status in ("fail", "not_applicable") else "",
    } for r in results]
    return pd.DataFrame(rows, columns=["verdict", "key", "rule", "actual", "expected", "severity",
                                       "control", "message"])


def audit_summary(results: Sequence[Result]) -> str:
    tally = counts(results)
    na = f", {tally['not_applicable']} not applicable" if tally["not_applicable"] else ""
    return (f"{len(results)} rules: {tally['pass']} pass, {tally['not_present']} not set "
            f"(default complies), {tally['fail']} fail{na}")


def status_figure(results: Sequence[Result]) -> go.Figure:
    """Rules per severity, stacked by verdict."""
    severities = [s for s in _SEVERITY_ORDER if any(r.rule.severity == s for r in results)]
    fig = go.Figure()
    for status in ("fail", "not_applicable", "not_present", "pass"):
        fig.add_bar(
            x=severities, name=_MARK[status], marker_color=_COLOUR[status],
            y=[sum(1 for r in results if r.rule.severity == s and r.status == status)
               for s in severities],
        )
    fig.update_layout(barmode="stack", title=audit_summary(results), height=320,
                      xaxis_title="severity (DISA STIG category; info = no STIG rule)",
                      yaxis_title="rules", margin={"t": 50, "b": 40, "l": 50, "r": 10})
    return fig


def host_frame(results: Sequence[HostResult]) -> pd.DataFrame:
    """One row per host setting: verdict, value, default or not, what passes, the control."""
    return pd.DataFrame([{
        "verdict": "✓ pass" if r.passed else "✗ FAIL", "setting": r.setting.setting,
        "scope": r.setting.scope, "value": r.value, "default?": "yes" if r.is_default else "no",
        "passes with": " or ".join(r.setting.expected), "control": r.setting.rule_id,
    } for r in results])


def exposure_frame(exposures: Sequence[Exposure]) -> pd.DataFrame:
    """What a compromised guest on the port group can do, per vSwitch security policy."""
    return pd.DataFrame([{
        "a compromised guest can": e.threat, "possible?": "YES" if e.possible else "no",
        "policy": e.policy} for e in exposures])


def seed_map_frame() -> pd.DataFrame:
    """Each hardening bullet of the notes and the controls that carry it today."""
    rows: dict[str, list[str]] = {}
    for r in hardening_rules():
        if r.seed_bullet:
            rows.setdefault(r.seed_bullet, []).append(f"{r.key} ({r.rule_id})")
    for s in host_settings():
        if s.seed_bullet:
            rows.setdefault(s.seed_bullet, []).append(f"{s.setting} ({s.rule_id})")
    return pd.DataFrame(
        [{"the notes say": bullet, "today's controls": "; ".join(items)}
         for bullet, items in rows.items()])


def frame_html(frame: pd.DataFrame, css_class: str) -> str:
    rows = "".join(
        "<tr>" + "".join(f"<td style='text-align:left'>{html.escape(str(v))}</td>"
                         for v in row) + "</tr>"
        for row in frame.itertuples(index=False))
    head = "".join(f"<th style='text-align:left'>{html.escape(str(c))}</th>" for c in frame.columns)
    return f"<table class='{css_class}'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


class HardeningPanel(widgets.VBox):
    """Paste a .vmx, pick the rule profiles, read the verdicts (table) and their spread (chart)."""

    def __init__(self, text: str = "", profile: str = "baseline (SCG 8)") -> None:
        self.text = widgets.Textarea(value=text, description=".vmx:", rows=12,
                                     layout=widgets.Layout(width="95%"), continuous_update=False)
        self.profile = widgets.ToggleButtons(options=list(PROFILE_SETS), value=profile,
                                             description="Rules:")
        self.status = widgets.HTML()
        self.table = widgets.HTML()
        self.table.add_class("vlab-hardening-table")
        self.plot = widgets.Output()
        self.plot.add_class("vlab-hardening-plot")
        self.results: list[Result] = []
        super().__init__([self.text, self.profile, self.status, self.plot, self.table])
        self.add_class("vlab-hardening-panel")
        self.text.observe(lambda _c: self.refresh(), names="value")
        self.profile.observe(lambda _c: self.refresh(), names="value")
        self.refresh()

    def refresh(self) -> list[Result]:
        try:
            vmx = parse_dictfile(self.text.value, source=".vmx")
        except ValueError as err:
            self.status.value = f"<p role='alert'>Cannot audit: {html.escape(str(err))}</p>"
            self.table.value = ""  # the last text's verdicts would pass for this one's
            self.plot.outputs = ()
            return self.results
        self.results = audit(vmx, PROFILE_SETS[self.profile.value])
        self.status.value = f"<p role='status'><b>{html.escape(audit_summary(self.results))}</b></p>"
        self.table.value = frame_html(results_frame(self.results), "vlab-hardening-table")
        self.plot.outputs = (figure_output(status_figure(self.results)),)
        return self.results


class HostHardeningPanel(widgets.VBox):
    """A drop-down per host / vSwitch setting (starting at the installation default) -> verdicts
    and what the vSwitch policy lets a guest do."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        values = dict(values or {})
        self.controls = {
            s.setting: widgets.Dropdown(
                options=list(s.choices), value=values.get(s.setting, s.default_value),
                description=s.setting, style={"description_width": "19em"},
                layout=widgets.Layout(width="45em"))
            for s in host_settings()
        }
        self.status = widgets.HTML()
        self.table = widgets.HTML()
        self.exposure = widgets.HTML()
        self.results: list[HostResult] = []
        super().__init__([*self.controls.values(), self.status, self.exposure, self.table])
        self.add_class("vlab-host-panel")
        for control in self.controls.values():
            control.observe(lambda _c: self.refresh(), names="value")
        self.refresh()

    def values(self) -> dict[str, str]:
        return {name: c.value for name, c in self.controls.items()}

    def refresh(self) -> list[HostResult]:
        values = self.values()
        defaults = {s.setting: s.default_value for s in host_settings()}
        # only what differs from the installation default counts as set ("default?" = yes)
        self.results = audit_host({k: v for k, v in values.items() if v != defaults[k]})
        failed = sum(1 for r in self.results if not r.passed)
        self.status.value = (f"<p role='status'><b>{len(self.results)} settings: "
                             f"{len(self.results) - failed} pass, {failed} fail</b></p>")
        exposures = vswitch_exposure(values["Promiscuous mode"], values["MAC address changes"],
                                     values["Forged transmits"])
        self.exposure.value = frame_html(exposure_frame(exposures), "vlab-host-exposure")
        self.table.value = frame_html(host_frame(self.results), "vlab-host-table")
        return self.results
