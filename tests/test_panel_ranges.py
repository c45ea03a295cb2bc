"""Every lab panel driven over the whole range its controls allow.

For each panel in vlab/widgets, the ranges are read from the constructed widgets (min, max, step,
options), never typed in here. The panel is then set at the corners of those ranges (each control
alone at its ends, all at the low ends, all at the high ends) and at seeded hypothesis points in
between, through the widgets' value setters, so the wiring is exercised too. After every setting
the test asserts: no exception; no NaN or infinity in the text, tables and figures the panel shows;
and the invariants the model's docstring or theory promises (GAVG = KAVG + DAVG, Little's law,
percentages in [0, 100], non-negative whole counts, space used within capacity, ...). A design the
panel refuses must be said in words, and must not leave the numbers of an earlier design on show.
"""
from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import ipywidgets as widgets
import plotly.graph_objects as go
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vlab import knowledge
from vlab.models.datastore.vm_folder import TEXT_KINDS
from vlab.models.datastore.volume import MiB
from vlab.models.security.brute_force import CHARACTER_CLASSES
from vlab.models.storage.rdm import VMFS_CPU_OVERHEAD
from vlab.models.storage.simulation import ADD_HARDWARE_MS, FC_MB_PER_S_PER_GBPS
from vlab.models.vcenter.drs import TARGET_STDDEV
from vlab.models.vcenter.ha import cpu_need_mhz
from vlab.widgets import lab_map as lab_map_module
from vlab.widgets.backup_panel import BackupPanel
from vlab.widgets.datastore_panel import LIFECYCLE, FolderPanel
from vlab.widgets.hardening_panel import PROFILE_SETS, HardeningPanel, HostHardeningPanel
from vlab.widgets.io_path_panel import IoPathPanel, path_stages
from vlab.widgets.management_panel import CLASS_SETS, BruteForcePanel
from vlab.widgets.rdm_panel import BLOCK_SIZES_KB, RdmPanel
from vlab.widgets.security_panel import HyperthreadPanel
from vlab.widgets.storage_panel import (
    KAVG_ALARM_MS,
    MAX_PANEL_OUTSTANDING,
    StoragePanel,
    Table2Calculator,
    esxtop_warnings,
    latency_histogram,
)
from vlab.widgets.vcenter_panel import VcenterPanel, panel_cluster
from vlab.widgets.vmkernel_panel import MHZ_PER_PCPU, PAGES_PER_VM, CpuSchedPanel, PageSharingPanel
from vlab.widgets.vswitch_panel import FRAMES, VMS, VSwitchPanel

# Seeded (derandomized) and few: every example runs a model, some of them a simulation.
FEW = settings(max_examples=8, derandomize=True, deadline=None, database=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
SOME = settings(FEW, max_examples=12)

_NOT_A_NUMBER = re.compile(r"(?<![A-Za-z])(nan|[-+]?inf(inity)?)(?![A-Za-z])", re.IGNORECASE)


# ----------------------------------------------------------------------------------- helpers
def option_values(w: widgets.Widget) -> list:
    """The values a selection widget can take (options may be labels or (label, value) pairs)."""
    return [o[1] if isinstance(o, tuple) else o for o in w.options]


def corners(w: widgets.Widget) -> list:
    """The ends of a control's range: min and max of a slider, every option of a selection."""
    if isinstance(w, widgets.Checkbox):
        return [False, True]
    if isinstance(w, widgets.FloatLogSlider):
        return [w.base ** w.min, w.base ** w.max]
    if hasattr(w, "options"):
        return option_values(w)
    return [w.min, w.max]


def values(w: widgets.Widget) -> st.SearchStrategy:
    """Any value the control can be set to by the learner (on the slider's step grid)."""
    if isinstance(w, widgets.Checkbox):
        return st.booleans()
    if hasattr(w, "options"):
        return st.sampled_from(option_values(w))
    if isinstance(w, widgets.FloatLogSlider):
        steps = round((w.max - w.min) / w.step)
        return st.integers(0, steps).map(lambda k: w.base ** min(w.max, w.min + k * w.step))
    step = getattr(w, "step", 1) or 1
    steps = int(round((w.max - w.min) / step))
    if isinstance(w.min, int) and isinstance(step, int):
        return st.integers(0, steps).map(lambda k: w.min + k * step)
    return st.integers(0, steps).map(lambda k: min(w.max, round(w.min + k * step, 10)))


def corner_points(controls: Mapping[str, widgets.Widget]) -> list[dict]:
    """Each control alone at each end of its range (others at their start values), then every
    control at its low end, then every control at its high end."""
    start = {k: w.value for k, w in controls.items()}
    points = [{**start, k: v} for k, w in controls.items() for v in corners(w)]
    points.append({k: corners(w)[0] for k, w in controls.items()})
    points.append({k: corners(w)[-1] for k, w in controls.items()})
    return points


def all_corners(controls: Mapping[str, widgets.Widget], ends_only: bool = False) -> list[dict]:
    """Every combination of the controls' ends (for panels cheap enough to run them all); with
    `ends_only`, a selection contributes its first and last option only."""
    names = list(controls)
    ends = [corners(controls[n]) for n in names]
    if ends_only:
        ends = [[e[0], e[-1]] if len(e) > 2 else e for e in ends]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*ends)]


def points_strategy(controls: Mapping[str, widgets.Widget]) -> st.SearchStrategy:
    return st.fixed_dictionaries({k: values(w) for k, w in controls.items()})


def set_controls(controls: Mapping[str, widgets.Widget], point: Mapping[str, object]) -> None:
    for name, value in point.items():
        controls[name].value = value


@contextmanager
def one_refresh(panel, controls: Mapping[str, widgets.Widget] | None = None) -> Iterator[None]:
    """Set several controls, then recompute once. Panels built on `refresh` observe through a
    lambda calling `self.refresh()`; those built on `_update` observe the bound method itself."""
    if controls is not None and hasattr(panel, "_update"):
        for control in controls.values():
            control.unobserve(panel._update, names="value")
        try:
            yield
        finally:
            for control in controls.values():
                control.observe(panel._update, names="value")
        panel._update()
        return
    panel.refresh = lambda: None
    try:
        yield
    finally:
        del panel.refresh
    panel.refresh()


def assert_no_nan_text(*texts: str) -> None:
    for text in texts:
        found = _NOT_A_NUMBER.search(str(text))
        assert found is None, f"shows {found.group(0)!r}: ...{str(text)[max(0, found.start() - 80):found.end() + 40]}"


def _numbers(obj, path: str = "") -> Iterator[tuple[str, float]]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k != "template":
                yield from _numbers(v, f"{path}.{k}")
    elif isinstance(obj, str | bytes | bool) or obj is None:
        return
    elif isinstance(obj, int | float):
        yield path, float(obj)
    elif hasattr(obj, "tolist"):
        yield from _numbers(obj.tolist(), path)
    elif isinstance(obj, list | tuple):
        for i, v in enumerate(obj):
            yield from _numbers(v, f"{path}[{i}]")


def assert_finite_figure(fig: go.Figure) -> None:
    for path, x in _numbers(fig.to_plotly_json()):
        assert math.isfinite(x), f"figure value {path} = {x}"
    for trace in fig.data:
        if getattr(trace, "text", None) is not None:
            assert_no_nan_text(str(trace.text))


def assert_finite(**numbers: float) -> None:
    for name, x in numbers.items():
        assert math.isfinite(x), f"{name} = {x}"


def whole(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def close(a: float, b: float, rel: float = 1e-9, abs_: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


# ------------------------------------------------------------------ lab 09: storage panel
@pytest.fixture(scope="module")
def storage_panel() -> StoragePanel:
    return StoragePanel()


def check_storage(panel: StoragePanel) -> None:
    s = panel.settings
    if s.total_outstanding > MAX_PANEL_OUTSTANDING:
        # refused: said in words, and no table or figure of an earlier design left on show
        assert panel.error and "⚠" in panel.status.value and "at most" in panel.status.value
        assert panel.table_html.value == "" and panel.plot.outputs == ()
        return
    assert panel.error == ""
    r = panel.result
    assert_finite(**{k: v for k, v in r.counters().items() if not isinstance(v, bool)})
    assert not r.unstable  # closed loop: latency cannot grow without bound
    # esxtop: GAVG = KAVG + DAVG; all of KAVG is queueing here; the array wait is part of DAVG
    assert close(r.gavg_ms, r.kavg_ms + r.davg_ms, rel=1e-9, abs_=1e-9)
    assert close(r.qavg_ms, r.kavg_ms)
    assert r.kavg_ms >= 0 and r.davg_ms > 0 and 0 <= r.array_wait_ms <= r.davg_ms + 1e-9
    assert 0 < r.p50_ms <= r.p95_ms <= r.p99_ms <= r.max_ms
    assert r.iops > 0 and close(r.mbps, r.iops * s.block_kb / 1024, rel=1e-9)
    assert 0 <= r.spindle_utilisation <= 1 + 1e-9 and r.cons_per_s >= 0
    # DSNRO applies only when two or more VMs on a host share the LUN
    assert r.host_limit == (s.queue_depth if s.vms_per_host == 1 else min(s.dsnro, s.queue_depth))
    # closed loop: every command the VMs keep in flight is active or queued (Little's law)
    assert r.actv <= s.hosts * r.host_limit + 1e-6 and r.qued >= -1e-9
    assert r.outstanding <= s.total_outstanding + 1e-6
    assert r.littles_law_error < 0.05
    # no think time: each host always has its VMs' commands in flight, min(them, the host's
    # limit) of them active at the device and the rest queued in the VMkernel
    per_host = s.vms_per_host * s.outstanding_per_vm
    assert r.actv == pytest.approx(s.hosts * min(per_host, r.host_limit), rel=0.02, abs=0.05)
    assert r.qued == pytest.approx(s.hosts * max(0, per_host - r.host_limit), rel=0.02, abs=0.05)
    if per_host <= r.host_limit:
        assert r.kavg_ms < 1e-6  # nothing ever waits in the VMkernel
    assert len(r.iops_per_vm) == s.hosts * s.vms_per_host and min(r.iops_per_vm) >= 0
    # what the panel shows
    t = panel.table
    assert ((t["%USD"] >= 0) & (t["%USD"] <= 100)).all() and (t["LOAD"] >= 0).all()
    for _, row in t.iterrows():
        assert abs(row["GAVG/cmd"] - (row["KAVG/cmd"] + row["DAVG/cmd"])) <= 0.011
    # a queue building in the VMkernel, or an array past the study's 50 ms line, is said in words
    status = panel.status.value
    assert ("commands queue in the VMkernel" in status) == (r.kavg_ms > KAVG_ALARM_MS)
    assert ("adding physical resources" in status) == (r.davg_ms >= ADD_HARDWARE_MS)
    assert ("No esxtop threshold crossed" in status) == (not esxtop_warnings(r))
    hist = latency_histogram(r.latencies_ms)
    assert sum(hist.counts) == len(r.latencies_ms) == r.ios
    assert_no_nan_text(panel.status.value, panel.table_html.value)
    assert_finite_figure(panel.bars)
    assert_finite_figure(panel.histogram)


def test_storage_panel_at_its_corners(storage_panel):
    panel = storage_panel
    start = {k: w.value for k, w in panel.sliders.items()}
    points = corner_points(panel.sliders)
    # the refused corner, and the largest design the panel still runs
    assert any(p["hosts"] * p["vms_per_host"] * p["outstanding_per_vm"] > MAX_PANEL_OUTSTANDING
               for p in points)
    points.append({**start, "hosts": 16, "vms_per_host": 1, "outstanding_per_vm": 64})
    for point in points:
        with one_refresh(panel):
            set_controls(panel.sliders, point)
        check_storage(panel)
    # a refused design, then a good one: the good one is shown again
    with one_refresh(panel):
        set_controls(panel.sliders, start)
    check_storage(panel)
    assert panel.table_html.value and len(panel.plot.outputs) == 2


@FEW
@given(data=st.data())
def test_storage_panel_between_its_corners(storage_panel, data):
    panel = storage_panel
    point = data.draw(points_strategy(panel.sliders))
    with one_refresh(panel):
        set_controls(panel.sliders, point)
    check_storage(panel)


# --------------------------------------------------------------- lab 09: Table 2 calculator
def check_table2(calc: Table2Calculator) -> None:
    s = calc.sizing
    n, a, d = calc.n.value, calc.a.value, calc.d.value
    assert (s.array_queue_limit, s.active_per_vm, s.host_queue_depth) == (n, a, d)
    # m = d/a and n/a, rounded down (a further VM would already queue)
    assert whole(s.vms_per_host) and s.vms_per_host * a <= d < (s.vms_per_host + 1) * a
    assert whole(s.vms_per_volume) and s.vms_per_volume * a <= n < (s.vms_per_volume + 1) * a
    assert_no_nan_text(calc.answer.value, calc.table.value)
    assert f"<b>{s.vms_per_host} VMs per host</b>" in calc.answer.value
    # "0 hosts fill the array's queue" would be false: one host already overfills it
    if n < d:
        assert "0 hosts" not in calc.answer.value and "one host" in calc.answer.value
    else:
        assert f"n/d = {n // d} hosts" in calc.answer.value


def test_table2_calculator_over_its_ranges():
    calc = Table2Calculator()
    controls = {"n": calc.n, "a": calc.a, "d": calc.d}
    for point in all_corners(controls):
        set_controls(controls, point)
        check_table2(calc)

    @FEW
    @given(points_strategy(controls))
    def between(point):
        set_controls(controls, point)
        check_table2(calc)

    between()


# ------------------------------------------------------------------ lab 03: I/O path panel
@pytest.fixture(scope="module")
def io_path_panel() -> IoPathPanel:
    return IoPathPanel()


def check_io_path(panel: IoPathPanel) -> None:
    assert panel.error == ""
    r, lun = panel.result, panel.lun
    v = {k: s.value for k, s in panel.sliders.items()}
    assert lun.outstanding == (v["noisy"],) + (v["others"],) * (v["vms"] - 1)
    assert close(r.gavg_ms, r.kavg_ms + r.davg_ms) and 0 <= r.array_wait_ms <= r.davg_ms + 1e-9
    assert r.host_limit == min(lun.dsnro, lun.queue_depth)  # 2+ VMs share the LUN
    assert r.actv <= lun.hosts * r.host_limit + 1e-6 and r.littles_law_error < 0.05
    in_flight = sum(lun.outstanding)  # one host, no think time
    assert r.actv == pytest.approx(min(in_flight, r.host_limit), rel=0.02, abs=0.05)
    assert r.qued == pytest.approx(max(0, in_flight - r.host_limit), rel=0.02, abs=0.05)
    rows = panel.rows
    assert len(rows) == v["vms"]
    for row in rows:
        assert_finite(iops=row.iops, share=row.share, gavg_ms=row.gavg_ms)
        assert row.iops > 0 and 0 <= row.share <= 1 and row.gavg_ms > 0
    assert close(sum(row.share for row in rows), 1.0, rel=1e-9)
    # Little's law over the host: all commands in flight / all IOPS = the mean GAVG
    little_ms = sum(lun.outstanding) / sum(row.iops for row in rows) * 1000
    assert abs(little_ms - r.gavg_ms) <= 0.05 * r.gavg_ms
    stages = path_stages(r)
    assert all(stage.ms >= -1e-12 for stage in stages)
    assert close(sum(stage.ms for stage in stages), r.gavg_ms, rel=1e-9, abs_=1e-9)
    assert_no_nan_text(panel.status.value, panel.table.value)
    assert_finite_figure(panel.path)
    assert_finite_figure(panel.fairness)


def test_io_path_panel_at_its_corners(io_path_panel):
    panel = io_path_panel
    for point in corner_points(panel.sliders):
        with one_refresh(panel):
            set_controls(panel.sliders, point)
        check_io_path(panel)


@FEW
@given(data=st.data())
def test_io_path_panel_between_its_corners(io_path_panel, data):
    panel = io_path_panel
    with one_refresh(panel):
        set_controls(panel.sliders, data.draw(points_strategy(panel.sliders)))
    check_io_path(panel)


# ----------------------------------------------------------------- lab 06: backup panel
def backup_controls(panel: BackupPanel) -> dict[str, widgets.Widget]:
    return {"vm_count": panel.vm_count, "disk_gb": panel.disk_gb,
            "daily_change_pct": panel.daily_change_pct, "bandwidth_mb_s": panel.bandwidth_mb_s,
            "interval_h": panel.interval_h, "transport": panel.transport}


def check_backup(panel: BackupPanel) -> None:
    plan = panel.plan
    bw = plan.bandwidth_mb_s * MiB
    changed = min(plan.disk_gb, plan.disk_gb * plan.daily_change_pct / 100 * plan.interval_h / 24)
    by_option = {o.option: o for o in panel.outcomes}
    for o in panel.outcomes:
        assert_finite(window=o.backup_window_h, restore=o.restore_min, risk=o.data_at_risk_gb,
                      rolled=o.rolled_back_gb)
        assert whole(o.backup_bytes) and whole(o.restore_bytes) and whole(o.rolled_back_vms)
        assert close(o.backup_window_h, o.backup_bytes / bw / 3600)
        assert close(o.restore_min, o.restore_bytes / bw / 60)
        assert o.fits_interval == (o.backup_window_h <= plan.interval_h)
        # the restored VM loses its changes since the last backup, at most its whole disk
        assert 0 <= o.data_at_risk_gb <= plan.disk_gb + 1e-9
        assert math.isclose(o.data_at_risk_gb, changed, rel_tol=1e-6, abs_tol=1e-6)
    lun, vcb, cbt = by_option["lun_copy"], by_option["vcb"], by_option["vadp_cbt"]
    assert lun.rolled_back_vms == plan.vm_count - 1 and vcb.rolled_back_vms == cbt.rolled_back_vms == 0
    assert cbt.backup_bytes <= vcb.backup_bytes <= lun.backup_bytes  # incremental <= full <= LUN
    assert vcb.restore_bytes == cbt.restore_bytes <= lun.restore_bytes
    overlaps = [w for w in panel.warnings if "overlap" in w]
    assert len(overlaps) == sum(not o.fits_interval for o in panel.outcomes)
    assert panel.table.value.count("longer than the interval") == len(overlaps)
    assert_no_nan_text(panel.status.value, panel.table.value)
    assert_finite_figure(panel.figure)


def test_backup_panel_at_all_its_corners():
    panel = BackupPanel()
    controls = backup_controls(panel)
    for point in all_corners(controls):
        with one_refresh(panel):
            set_controls(controls, point)
        check_backup(panel)
    # the 168 h interval at 50 %/day rewrites more than the disk: capped at the disk
    assert panel.outcomes[0].data_at_risk_gb == pytest.approx(panel.plan.disk_gb)


@SOME
@given(data=st.data())
def test_backup_panel_between_its_corners(data):
    panel = BackupPanel()
    controls = backup_controls(panel)
    with one_refresh(panel):
        set_controls(controls, data.draw(points_strategy(controls)))
    check_backup(panel)


# -------------------------------------------------------------------- lab 10: RDM panel
def rdm_controls(panel: RdmPanel) -> dict[str, widgets.Widget]:
    return {"pattern": panel.pattern, "block_kb": panel.block_kb,
            "outstanding": panel.outstanding, "link_gbps": panel.link_gbps}


def check_rdm(panel: RdmPanel) -> None:
    c = panel.comparison
    assert c.pattern == panel.pattern.value and c.block_kb == panel.block_kb.value
    link_mb_s = panel.link_gbps.value * FC_MB_PER_S_PER_GBPS
    assert_finite(vmfs=c.vmfs_mbps, rdm=c.rdm_mbps, gap=c.throughput_gap)
    # the published CPU overhead is applied, never more or less
    assert close(c.cpu_ratio, 1 + VMFS_CPU_OVERHEAD[c.pattern])
    assert c.vmfs_bottleneck in ("cpu", "wire", "disk")
    for row in panel.rows:
        assert_finite(vmfs=row.vmfs_mbps, rdm=row.rdm_mbps, gap=row.gap_pct)
        # RDM does the same I/O with less CPU: in a closed network it is never slower (MVA is
        # monotone in the service demands) and neither can pass the wire's bandwidth
        assert row.gap_pct >= -1e-9
        assert 0 < row.vmfs_mbps <= row.rdm_mbps + 1e-9 <= link_mb_s + 1e-6
    assert [row.block_kb for row in panel.rows] == list(BLOCK_SIZES_KB)
    assert_no_nan_text(panel.summary.value)
    assert_finite_figure(panel.figure)


def test_rdm_panel_at_all_its_corners():
    panel = RdmPanel()
    controls = rdm_controls(panel)
    for point in all_corners(controls, ends_only=True) + corner_points(controls):
        with one_refresh(panel):
            set_controls(controls, point)
        check_rdm(panel)


@FEW
@given(data=st.data())
def test_rdm_panel_between_its_corners(data):
    panel = RdmPanel()
    controls = rdm_controls(panel)
    with one_refresh(panel):
        set_controls(controls, data.draw(points_strategy(controls)))
    check_rdm(panel)


# ------------------------------------------------------------ lab 01: CPU scheduler panel
@pytest.fixture(scope="module")
def cpu_panel() -> CpuSchedPanel:
    return CpuSchedPanel()


def cpu_controls(panel: CpuSchedPanel) -> dict[str, widgets.Widget]:
    return {"vms": panel.vms, "shares": panel.shares, "reservation": panel.reservation,
            "pcpus": panel.pcpus}


def check_cpu(panel: CpuSchedPanel) -> None:
    assert "Not possible" not in panel.message.value  # every slider setting is a valid host
    view = panel.view
    capacity = panel.pcpus.value * MHZ_PER_PCPU
    entitled = view.entitled_mhz
    assert len(view.result.vms) == panel.vms.value
    assert sum(entitled.values()) <= capacity + 1e-6
    assert entitled["vm1"] >= panel.reservation.value - 1e-6  # a reservation is guaranteed
    quantum_mhz = MHZ_PER_PCPU * view.result.quantum_ms / view.result.duration_ms
    for vm in view.result.vms:
        assert_finite(used=vm.used_mhz, fraction=vm.host_fraction, ready=vm.ready_ms)
        assert 0 <= entitled[vm.name] <= MHZ_PER_PCPU + 1e-6  # one vCPU each
        assert 0 <= vm.used_mhz <= MHZ_PER_PCPU + 1e-6 and 0 <= vm.host_fraction <= 1
        assert vm.ready_ms >= 0
    used = sum(vm.used_mhz for vm in view.result.vms)
    assert used <= capacity + 1e-6
    # work-conserving: all busy vCPUs, so the host is fully used or every VM runs all the time
    assert close(used, min(capacity, panel.vms.value * MHZ_PER_PCPU), rel=1e-9, abs_=1e-6)
    # proportional share in quanta: each VM is within one quantum per other VM of its
    # entitlement, and a reservation of the whole host leaves nothing to the others
    for vm in view.result.vms:
        assert abs(vm.used_mhz - entitled[vm.name]) <= (panel.vms.value - 1) * quantum_mhz + 1e-6
    if panel.reservation.value == capacity:
        assert view.result.vm("vm1").used_mhz == capacity
    assert view.result.registers_consistent
    assert_no_nan_text(panel.table.value)
    for row in view.result.vms:
        assert row.name in panel.table.value


def test_cpu_sched_panel_at_its_corners(cpu_panel):
    controls = cpu_controls(cpu_panel)
    for point in all_corners(controls):
        with one_refresh(cpu_panel, controls):
            set_controls(controls, point)
        check_cpu(cpu_panel)


@FEW
@given(data=st.data())
def test_cpu_sched_panel_between_its_corners(cpu_panel, data):
    controls = cpu_controls(cpu_panel)
    with one_refresh(cpu_panel, controls):
        set_controls(controls, data.draw(points_strategy(controls)))
    check_cpu(cpu_panel)


# ---------------------------------------------------------- lab 01: page sharing panel
@pytest.fixture(scope="module")
def tps_panel() -> PageSharingPanel:
    return PageSharingPanel()


def tps_controls(panel: PageSharingPanel) -> dict[str, widgets.Widget]:
    return {"vms": panel.vms, "fraction": panel.fraction, "salting": panel.salting,
            "group_salt": panel.group_salt}


def check_tps(panel: PageSharingPanel) -> None:
    view = panel.view
    guest = panel.vms.value * PAGES_PER_VM
    stats = view.by_salting
    for s in stats.values():
        assert s.guest_pages == guest and whole(s.machine_pages) and whole(s.shared_machine_pages)
        assert 1 <= s.machine_pages <= guest and s.saved_pages >= 0
        assert s.shared_machine_pages <= s.machine_pages
    # salting 2 splits the VMs more finely than salting 1, which splits them more than 0
    assert stats[0].machine_pages <= stats[1].machine_pages <= stats[2].machine_pages
    if panel.vms.value == 1:
        assert stats[0] == stats[1] == stats[2]
    if panel.fraction.value == 0:  # every page is random bytes: nothing to share
        assert all(s.saved_pages == 0 for s in stats.values())
    if panel.fraction.value == 1:  # every page comes from the 32-page pool all guests have
        assert stats[0].machine_pages <= 32
    for name in view.host.pmap:
        private, shared = view.host.vm_machine_pages(name)
        assert whole(private) and whole(shared) and private + shared == PAGES_PER_VM
    assert view.salting == panel.salting.value
    assert_no_nan_text(panel.table.value)


def test_page_sharing_panel_at_all_its_corners(tps_panel):
    controls = tps_controls(tps_panel)
    for point in all_corners(controls):
        with one_refresh(tps_panel, controls):
            set_controls(controls, point)
        check_tps(tps_panel)


@FEW
@given(data=st.data())
def test_page_sharing_panel_between_its_corners(tps_panel, data):
    controls = tps_controls(tps_panel)
    with one_refresh(tps_panel, controls):
        set_controls(controls, data.draw(points_strategy(controls)))
    check_tps(tps_panel)


# ----------------------------------------------------------------- lab 02: vSwitch panel
@pytest.fixture(scope="module")
def vswitch_panel() -> VSwitchPanel:
    return VSwitchPanel()


def vswitch_controls(panel: VSwitchPanel) -> dict[str, widgets.Widget]:
    return {"mode": panel.mode, "vlan_web": panel.vlan_web, "vlan_db": panel.vlan_db,
            "promiscuous": panel.promiscuous, "mac_changes": panel.mac_changes,
            "forged": panel.forged}


def check_vswitch(panel: VSwitchPanel) -> None:
    from vlab.widgets.vswitch_panel import run_scenario

    mode, web, db = panel.mode.value, panel.vlan_web.value, panel.vlan_db.value
    if web == db:
        assert "Change the settings" in panel.message.value and "different VLANs" in panel.message.value
        assert panel.table.value == "" and not panel.figure.data
        return
    results, switches = run_scenario(mode, web, db, panel.policy())
    tier_vlan = {"web": web, "db": db}
    for sw in switches:
        c = sw.counters
        for x in (c.frames_in, c.frames_delivered, c.frames_dropped, c.copies_to_vms,
                  c.copies_to_uplinks, c.bytes_copied):
            assert whole(x)
        assert c.frames_in == c.frames_delivered + c.frames_dropped
    assert len(results) == len(FRAMES)
    for spec, r in zip(FRAMES, results, strict=True):
        assert r.deliveries or r.drops  # a frame never vanishes without a reason
        for d in r.deliveries:
            if d.to in VMS and mode in ("VST", "EST"):
                # VLANs isolate: a VM gets only frames of its own tier's VLAN
                assert r.vlan in (None, 0, tier_vlan[VMS[d.to][0]]), (spec.label, d)
        if spec.label.startswith("4") and panel.forged.value == "Reject":
            assert not any(d.to == "web01" for d in r.deliveries)  # forged source MAC
        if spec.label.startswith("6") and mode != "VGT":
            assert not any(d.to == "db01" for d in r.deliveries)  # a guest tag cannot cross VLANs
        if panel.promiscuous.value == "Reject" and spec.dst not in ("ids01", "broadcast"):
            assert not any(d.to == "ids01" for d in r.deliveries)  # no sniffing others' frames
    assert panel.table.value and len(panel.figure.data) == 1
    assert_no_nan_text(panel.message.value, panel.table.value)
    assert_finite_figure(go.Figure(panel.figure))


def test_vswitch_panel_at_all_its_corners(vswitch_panel):
    panel = vswitch_panel
    controls = vswitch_controls(panel)
    for point in all_corners(controls):
        with one_refresh(panel, controls):
            set_controls(controls, point)
        check_vswitch(panel)
    with one_refresh(panel, controls):
        set_controls(controls, {"vlan_web": 10, "vlan_db": 20})
    check_vswitch(panel)


@SOME
@given(data=st.data())
def test_vswitch_panel_between_its_corners(vswitch_panel, data):
    controls = vswitch_controls(vswitch_panel)
    with one_refresh(vswitch_panel, controls):
        set_controls(controls, data.draw(points_strategy(controls)))
    check_vswitch(vswitch_panel)


# ----------------------------------------------------------------- lab 04: vCenter panel
@pytest.fixture(scope="module")
def vcenter_panel() -> VcenterPanel:
    return VcenterPanel()


def vcenter_controls(panel: VcenterPanel) -> dict[str, widgets.Widget]:
    # the failed-host slider last: its max follows the hosts slider
    return {"hosts": panel.hosts, "vms": panel.vms, "threshold": panel.threshold,
            "admission": panel.admission, "failed": panel.failed}


def check_vcenter(panel: VcenterPanel) -> None:
    hosts, vms = panel.hosts.value, panel.vms.value
    assert 0 <= panel.failed.value <= panel.failed.max == hosts
    if "Not possible" in panel.message.value:
        # only a cluster whose VMs do not fit the hosts' memory is refused; no old bars stay up
        with pytest.raises(ValueError, match="memory"):
            panel_cluster(hosts, vms, panel.seed)
        assert "use fewer VMs" in panel.message.value and panel.table.value == ""
        assert all(len(trace.y) == 0 for trace in panel.figure.data)
        return
    view = panel.view
    assert len(view.start.hosts) == hosts and len(view.start.vms) == vms
    powered = view.powered.cluster
    assert len(powered.vms) + len(view.powered.refused) == vms
    drs = view.drs
    assert drs.imbalance_after <= drs.imbalance_before + 1e-12
    if panel.threshold.value == 1:
        assert drs.balancing == () and drs.target_stddev is None
    else:
        assert drs.target_stddev == TARGET_STDDEV[panel.threshold.value]
    after = drs.after
    for h in after.hosts:
        assert after.mem_used_mb(h.name) <= h.mem_mb
        assert after.load(h.name) >= 0
        # a reservation is guaranteed: DRS never moves VMs onto a host that cannot honour them
        assert sum(v.cpu_reservation_mhz for v in after.vms_on(h.name)) <= h.cpu_mhz
    f = view.failover
    if panel.failed.value == 0:
        assert f is None
    else:
        assert f.failed_host == view.start.hosts[panel.failed.value - 1].name
        victims = {v.name for v in after.vms_on(f.failed_host)}
        assert {r.vm for r in f.restarts} == victims
        assert len(f.after.vms) == len(after.vms) - len(f.not_restarted)
        for h in f.after.hosts:
            assert sum(cpu_need_mhz(v) for v in f.after.vms_on(h.name)
                       if v.name in victims) <= h.cpu_mhz
        if panel.admission.value:
            # admission control kept a host's worth of slots free: every VM restarts
            assert f.not_restarted == []
    fig = go.Figure(panel.figure)
    assert_finite_figure(fig)
    assert all(y >= 0 for trace in fig.data for y in trace.y)
    before = drs.before
    over = [h.name for c in (before, after) for h in c.hosts if c.load(h.name) > 1]
    if f is not None:
        over += [h.name for h in f.after.hosts if f.after.load(h.name) > 1]
    if over:  # CPU demand past a host's capacity must be said, not only drawn past 100 %
        assert "demand" in panel.message.value and "more than" in panel.message.value
    assert_no_nan_text(panel.message.value, panel.table.value)


def test_vcenter_panel_at_all_its_corners(vcenter_panel):
    panel = vcenter_panel
    controls = vcenter_controls(panel)
    for point in all_corners({k: w for k, w in controls.items() if k != "failed"}):
        with one_refresh(panel, controls):
            set_controls(controls, point)
        for failed in (0, 1, panel.hosts.value):
            panel.failed.value = failed
            check_vcenter(panel)


@FEW
@given(data=st.data())
def test_vcenter_panel_between_its_corners(vcenter_panel, data):
    panel = vcenter_panel
    controls = vcenter_controls(panel)
    with one_refresh(panel, controls):
        set_controls(controls, data.draw(points_strategy(
            {k: w for k, w in controls.items() if k != "failed"})))
    panel.failed.value = data.draw(values(panel.failed))  # its range after the hosts slider
    check_vcenter(panel)


# ----------------------------------------------------------------- lab 05: folder panel
def folder_controls(panel: FolderPanel) -> dict[str, widgets.Widget]:
    return {"step": panel.step, "reservation": panel.reservation, "thin": panel.thin}


def check_folder(panel: FolderPanel) -> None:
    ds, vm = panel.datastore, panel.vm
    assert whole(ds.used_bytes()) and whole(ds.capacity_bytes)
    for f in vm.files():
        assert whole(f.size_bytes)
    for row in panel.rows:
        assert whole(row.size_bytes)
    if ds.used_bytes() > ds.capacity_bytes:
        assert any("full" in w for w in ds.warnings)
    else:
        assert ds.free_bytes() >= 0
    if ds.provisioned_bytes() > ds.capacity_bytes:
        assert any("overcommitted" in w for w in panel.warnings)
    # the .vswp is the configured memory minus its reservation (vSphere: VM swap file size)
    swap = [f for f in vm.files() if f.kind == "vswp"]
    if vm.state == "poweredOn":
        assert len(swap) == 1
        assert swap[0].size_bytes == (panel.scenario.memory_mb - panel.reservation.value) * MiB
    assert not set(panel.changes.added) & set(panel.changes.removed)
    assert_no_nan_text(panel.status.value, panel.table.value)
    assert_finite_figure(panel.figure)
    # the file drop-down offers exactly the folder's files, and every one opens
    assert set(option_values(panel.file)) == {f.name for f in vm.files()}
    kinds = {f.name: f.kind for f in vm.files()}
    for name in option_values(panel.file):
        panel.file.value = name
        assert panel.text.value  # a text file's text, or a sentence naming the file
        if kinds[name] not in TEXT_KINDS:
            assert panel.text.value.startswith(f"{name} is a binary file")


def test_folder_panel_at_all_its_corners():
    panel = FolderPanel()
    controls = folder_controls(panel)
    assert corners(panel.step) == list(range(len(LIFECYCLE)))
    for point in all_corners(controls):
        with one_refresh(panel):
            set_controls(controls, point)
        check_folder(panel)


@FEW
@given(data=st.data())
def test_folder_panel_between_its_corners(data):
    panel = FolderPanel()
    controls = folder_controls(panel)
    with one_refresh(panel):
        set_controls(controls, data.draw(points_strategy(controls)))
    check_folder(panel)


# ----------------------------------------------------------- lab 07: hyperthreading panel
@pytest.fixture(scope="module")
def ht_panel() -> HyperthreadPanel:
    return HyperthreadPanel()


def ht_controls(panel: HyperthreadPanel) -> dict[str, widgets.Widget]:
    return {"cores": panel.cores, "vms": panel.vms, "vcpus": panel.vcpus, "busy": panel.busy}


def check_ht(panel: HyperthreadPanel) -> None:
    cores, vms, vcpus = panel.cores.value, panel.vms.value, panel.vcpus.value
    results = {r.policy: r for r in panel.results()}
    for r in results.values():
        assert_finite(runnable=r.runnable, placed=r.placed, cross=r.cross_vm_cores,
                      used=r.capacity_used)
        assert 0 <= r.placed <= r.runnable + 1e-9 <= vms * vcpus + 1e-9
        assert r.placed <= 2 * cores + 1e-9 and 0 <= r.capacity_used <= 1
        assert 0 <= r.cross_vm_cores <= cores
        if vms == 1:
            assert r.cross_vm_cores == 0
        if panel.busy.value == 1:
            assert r.runnable == vms * vcpus
    # SCAv1 leaves each core's second thread idle; SCAv1 and SCAv2 never mix VMs on a core
    assert results["scav1"].placed <= cores + 1e-9
    assert results["scav1"].cross_vm_cores == 0 and results["scav2"].cross_vm_cores == 0
    assert_no_nan_text(panel.table.value)
    fig = go.Figure(panel.figure)
    assert_finite_figure(fig)


def test_hyperthread_panel_at_its_corners(ht_panel):
    controls = ht_controls(ht_panel)
    for point in all_corners(controls):
        with one_refresh(ht_panel, controls):
            set_controls(controls, point)
        check_ht(ht_panel)


@FEW
@given(data=st.data())
def test_hyperthread_panel_between_its_corners(ht_panel, data):
    controls = ht_controls(ht_panel)
    with one_refresh(ht_panel, controls):
        set_controls(controls, data.draw(points_strategy(controls)))
    check_ht(ht_panel)


# ------------------------------------------------------------ lab 11: brute-force panel
@pytest.fixture(scope="module")
def brute_panel() -> BruteForcePanel:
    return BruteForcePanel()


def brute_controls(panel: BruteForcePanel) -> dict[str, widgets.Widget]:
    return {"length": panel.length, "classes": panel.classes, "rate": panel.rate,
            "failures": panel.failures, "unlock": panel.unlock}


def check_brute(panel: BruteForcePanel) -> None:
    (free_label, free), (lock_label, locked) = panel.rows()
    alphabet = sum(CHARACTER_CLASSES[c] for c in CLASS_SETS[panel.classes.value])
    space = alphabet ** panel.length.value
    for a in (free, locked):
        assert a.keyspace == space
        assert_finite(rate=a.effective_guesses_per_s, seconds=a.expected_s, years=a.expected_years)
        assert 0 < a.effective_guesses_per_s <= panel.rate.value * (1 + 1e-12)
        assert a.expected_s == pytest.approx((space + 1) / 2 / a.effective_guesses_per_s)
    assert locked.expected_s >= free.expected_s  # a lockout can only slow the attacker
    lockout_on = panel.failures.value > 0 and panel.unlock.value > 0
    assert (locked.effective_guesses_per_s < free.effective_guesses_per_s) == lockout_on
    if not lockout_on:  # Security.AccountLockFailures = 0 (or no wait) locks nothing: say so
        assert "off" in lock_label or "no lockout" in lock_label
    fig = go.Figure(panel.figure)
    assert_finite_figure(fig)
    assert all(y > 0 for y in fig.data[0].y)  # a log axis cannot show 0
    assert_no_nan_text(panel.table.value)


def test_brute_force_panel_at_all_its_corners(brute_panel):
    controls = brute_controls(brute_panel)
    for point in all_corners(controls, ends_only=True) + corner_points(controls):
        with one_refresh(brute_panel, controls):
            set_controls(controls, point)
        check_brute(brute_panel)


@SOME
@given(data=st.data())
def test_brute_force_panel_between_its_corners(brute_panel, data):
    controls = brute_controls(brute_panel)
    with one_refresh(brute_panel, controls):
        set_controls(controls, data.draw(points_strategy(controls)))
    check_brute(brute_panel)


# ------------------------------------------------------------- lab 08: hardening panels
VMX = """.encoding = "UTF-8"
config.version = "8"
virtualHW.version = "19"
displayName = "web01"
isolation.tools.copy.disable = "FALSE"
isolation.device.connectable.disable = "TRUE"
RemoteDisplay.maxConnections = "1"
"""


def check_vmx_audit(panel: HardeningPanel) -> None:
    results = panel.results
    tally = {s: sum(r.status == s for r in results)
             for s in ("pass", "not_present", "fail", "not_applicable")}
    assert sum(tally.values()) == len(results) > 0 and all(whole(n) for n in tally.values())
    assert (f"{len(results)} rules: {tally['pass']} pass, {tally['not_present']} not set "
            f"(default complies), {tally['fail']} fail") in panel.status.value
    assert panel.table.value.count("✗ FAIL") == tally["fail"]
    assert_no_nan_text(panel.status.value)


def test_vmx_hardening_panel_over_its_profiles():
    panel = HardeningPanel(VMX)
    sizes = []
    for profile in corners(panel.profile):
        panel.profile.value = profile
        check_vmx_audit(panel)
        sizes.append(len(panel.results))
    assert list(PROFILE_SETS) == corners(panel.profile) and sizes == sorted(sizes)
    panel.text.value = 'displayName = "unterminated'
    assert "Cannot audit" in panel.status.value  # a .vmx it cannot read is said, not scored
    assert panel.table.value == "" and panel.plot.outputs == ()


_VMX_LINE = st.one_of(
    st.text(max_size=30),
    st.builds(lambda k, v: f'{k} = "{v}"', st.sampled_from(
        ["isolation.tools.copy.disable", "RemoteDisplay.maxConnections", "log.keepOld",
         "tools.setInfo.sizeLimit", "ethernet0.present", "x"]),
        st.sampled_from(["TRUE", "FALSE", "1", "0", "-1", "1e999", "nan", "", "ABC"])))


@SOME
@given(lines=st.lists(_VMX_LINE, max_size=6),
       profile=st.sampled_from(list(PROFILE_SETS)))
def test_vmx_hardening_panel_takes_any_text(lines, profile):
    """The text area's 'range' is any text: it is audited or refused in words, never a traceback."""
    panel = HardeningPanel("\n".join(lines), profile)
    if "Cannot audit" in panel.status.value:
        assert panel.table.value == "" and panel.results == []
    else:
        check_vmx_audit(panel)


def check_host_audit(panel: HostHardeningPanel) -> None:
    results = panel.results
    failed = sum(not r.passed for r in results)
    assert len(results) == len(panel.controls)
    assert f"{len(results)} settings: {len(results) - failed} pass, {failed} fail" in panel.status.value
    for r in results:
        assert r.value == panel.controls[r.setting.setting].value
        assert r.is_default == (r.value == r.setting.default_value)
        assert r.passed == (r.value in r.setting.expected)
    assert panel.table.value.count("✗ FAIL") == failed
    accepts = [panel.controls[k].value == "Accept"
               for k in ("Promiscuous mode", "MAC address changes", "Forged transmits")]
    assert panel.exposure.value.count("YES") == sum(accepts)  # each Accept opens one threat


def test_host_hardening_panel_at_its_corners():
    panel = HostHardeningPanel()
    for point in corner_points(panel.controls):
        with one_refresh(panel):
            set_controls(panel.controls, point)
        check_host_audit(panel)


@FEW
@given(data=st.data())
def test_host_hardening_panel_between_its_corners(data):
    panel = HostHardeningPanel()
    with one_refresh(panel):
        set_controls(panel.controls, data.draw(points_strategy(panel.controls)))
    check_host_audit(panel)


# -------------------------------------------------------------------------- the lab map
def test_lab_map_minutes_are_whole_and_add_up():
    table = lab_map_module.lab_map()
    for column in ("reading (min)", "exercises (min)"):
        assert all(whole(int(x)) and int(x) == x for x in table[column])
    total = int(table["reading (min)"].sum() + table["exercises (min)"].sum())
    assert lab_map_module.total_minutes() == total
    statuses = {lab.status for lab in knowledge.labs()}
    assert sum(lab_map_module.total_minutes(s) for s in statuses) == total


def test_every_panel_module_is_covered():
    """A new *_panel.py must get its ranges tested here too."""
    from pathlib import Path

    import vlab.widgets

    here = {p.stem for p in Path(vlab.widgets.__file__).parent.glob("*_panel.py")}
    covered = {"backup_panel", "datastore_panel", "hardening_panel", "io_path_panel",
               "management_panel", "rdm_panel", "security_panel", "storage_panel",
               "vcenter_panel", "vmkernel_panel", "vswitch_panel"}
    assert here <= covered, f"panels without range tests: {sorted(here - covered)}"

