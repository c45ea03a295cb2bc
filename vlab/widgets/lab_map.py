"""The map of labs as a table: order, title, minutes, and whether the lab is written yet."""
from __future__ import annotations

import pandas as pd

from vlab import knowledge


def lab_map() -> pd.DataFrame:
    """One row per lab in teaching order, with reading and exercise minutes."""
    rows = [
        {
            "lab": lab.notebook,
            "title": lab.title,
            "reading (min)": lab.minutes_reading,
            "exercises (min)": lab.minutes_exercises,
            "status": lab.status,
            "topics": lab.topics,
        }
        for lab in knowledge.labs()
    ]
    return pd.DataFrame(rows).set_index("lab")


def total_minutes(status: str | None = None) -> int:
    """Minutes for every lab, or only for labs with this status."""
    return sum(
        lab.minutes_reading + lab.minutes_exercises
        for lab in knowledge.labs()
        if status is None or lab.status == status
    )
