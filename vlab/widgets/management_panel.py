"""The brute-force panel of lab 11: password policy and lockout in, expected time to guess out."""
from __future__ import annotations

import html

import ipywidgets as widgets
import plotly.graph_objects as go

from vlab.models.security.brute_force import Attack, attack, keyspace

CLASS_SETS = {
    "lower case only": ("lower",),
    "lower case + digits": ("lower", "digits"),
    "lower + upper + digits": ("lower", "upper", "digits"),
    "all four classes": ("lower", "upper", "digits", "symbols"),
}


def attack_rows(length: int, classes: str, guesses_per_s: float, lock_failures: int,
                unlock_s: float) -> list[tuple[str, Attack]]:
    """The attack with lockout off, and as configured; the configured case last."""
    space = keyspace(length, CLASS_SETS[classes])
    if lock_failures and unlock_s:
        label = f"lock after {lock_failures} for {unlock_s:.0f} s"
    else:  # AccountLockFailures = 0 disables the lockout; unlocking after 0 s slows nobody down
        label = f"lockout off ({lock_failures} failures, {unlock_s:.0f} s)"
    return [
        ("no lockout", attack(space, guesses_per_s)),
        (label, attack(space, guesses_per_s, lock_failures, unlock_s)),
    ]


def attack_figure(rows: list[tuple[str, Attack]]) -> go.Figure:
    """Expected years to guess the password, on a log axis, one bar per case."""
    fig = go.Figure(go.Bar(
        x=[label for label, _ in rows], y=[a.expected_years for _, a in rows],
        text=[f"{a.expected_years:.3g} years" for _, a in rows], textposition="outside",
    ))
    fig.update_layout(yaxis_type="log", yaxis_title="expected time to guess (years, log scale)",
                      height=320, margin=dict(l=60, r=20, t=30, b=40), showlegend=False)
    return fig


def attack_table_html(rows: list[tuple[str, Attack]]) -> str:
    cells = "".join(
        f"<tr><td>{html.escape(label)}</td><td>{a.keyspace:.3g}</td>"
        f"<td>{a.effective_guesses_per_s:.4g}</td><td>{a.expected_years:.3g}</td></tr>"
        for label, a in rows
    )
    return ("<table><tr><th>case</th><th>passwords possible</th><th>guesses/s that count</th>"
            f"<th>expected years</th></tr>{cells}</table>")


class BruteForcePanel(widgets.VBox):
    """Sliders for the password policy, the attacker's speed and the lockout; a plot and a table."""

    def __init__(self, length: int = 8, classes: str = "lower case + digits", guesses_per_s: float = 100,
                 lock_failures: int = 5, unlock_s: int = 900) -> None:
        style = {"description_width": "14em"}
        self.length = widgets.IntSlider(length, 4, 20, description="password length", style=style)
        self.classes = widgets.Dropdown(options=list(CLASS_SETS), value=classes,
                                        description="character classes", style=style)
        self.rate = widgets.FloatLogSlider(guesses_per_s, base=10, min=0, max=4,
                                           description="attacker guesses/s", style=style)
        self.failures = widgets.IntSlider(lock_failures, 0, 10, description="lock after N failures",
                                          style=style)
        self.unlock = widgets.IntSlider(unlock_s, 0, 3600, step=60, description="unlock after (s)",
                                        style=style)
        self.figure = go.FigureWidget(attack_figure(self.rows()))
        self.table = widgets.HTML(attack_table_html(self.rows()))
        for control in (self.length, self.classes, self.rate, self.failures, self.unlock):
            control.observe(self._update, names="value")
        super().__init__([self.length, self.classes, self.rate, self.failures, self.unlock,
                          self.figure, self.table])

    def rows(self) -> list[tuple[str, Attack]]:
        return attack_rows(self.length.value, self.classes.value, self.rate.value,
                           self.failures.value, self.unlock.value)

    def _update(self, _change=None) -> None:
        rows = self.rows()
        fresh = attack_figure(rows)
        with self.figure.batch_update():
            self.figure.data[0].x = fresh.data[0].x
            self.figure.data[0].y = fresh.data[0].y
            self.figure.data[0].text = fresh.data[0].text
        self.table.value = attack_table_html(rows)
