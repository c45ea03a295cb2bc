"""Each lab's learner path in a real browser, in the learner edition `vlab lab` serves (issue 10, part 5).

One JupyterLab serves a learner workspace built by `sync_workspace`; for every lab Chromium runs all the
cells, then: commits a prediction and sees the explanation (and the "What to notice" it reveals); writes
the right line into a your-turn cell and runs it; presses a checker's Check on the starting work (it fails),
types a right answer, presses Check again (it passes). The attempts and the prediction land in SQLite, and
no instructor cell's text is on the page. Answers come from the suite's own answer tables
(tests/turn_answers, tests/hint_cases), never from the lab.
"""
from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
from browser_support import launch, open_and_run_all, serve_jupyterlab

from vlab.learn.bank import load_bank
from vlab.learn.editions import sync_workspace

REPO = Path(__file__).resolve().parents[1]
LABS = sorted(p.stem for p in (REPO / "labs").glob("[0-9][0-9]_*.ipynb"))
PREDICT = re.compile(r'PredictWidget\("(\w+)", "([\w-]+)"')
TURN = re.compile(r'your_turn\("(\w+)", "([\w-]+)", (\w+)\)\s*$')

pytestmark = pytest.mark.browser


def _modules(folder: str):
    for path in sorted((REPO / "tests" / folder).glob("lab_*.py")):
        spec = importlib.util.spec_from_file_location(f"walk_{folder}_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield path.stem.removeprefix("lab_"), module


def _answers() -> dict:
    found: dict = {}
    for _lab, module in _modules("turn_answers"):
        found.update(module.ANSWERS)
    return found


def _checker_cases() -> dict[str, list[dict]]:
    return {lab: list(module.CASES) for lab, module in _modules("hint_cases")}


def learner_path(slug: str) -> dict:
    """What the walk does in one lab, read off its learner notebook and the suite's answer tables."""
    nb = json.loads((REPO / "labs" / f"{slug}.ipynb").read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"
            and "instructor" not in c["metadata"].get("tags", [])]
    instructor = ["".join(c["source"]) for c in nb["cells"] if "instructor" in c["metadata"].get("tags", [])]
    prediction = next((m.group(2) for s in code for m in [PREDICT.search(s)] if m), None)
    turn = next((m.groups() for s in code for m in [TURN.search(s)] if m), None)
    return {"prediction": prediction, "turn": turn, "instructor": instructor,
            "cases": [c for c in _checker_cases().get(slug[:2], []) if isinstance(c["start"], str)]}


@pytest.fixture(scope="module")
def learner_lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("walk")
    root = tmp / "labs"
    sync_workspace(REPO / "labs", root, "learner")
    with serve_jupyterlab(root, tmp) as (base, token):
        yield base, token, tmp


ALL_RUN_JS = """() => {
  const prompts = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'));
  return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
}"""


def _wait_until_every_cell_ran(page) -> None:
    """Run All queues every cell; a click before the kernel is idle would wait behind them."""
    page.wait_for_function(ALL_RUN_JS, timeout=300_000, polling=500)


def _commit_prediction(page, expect, slug: str, qid: str) -> None:
    question = load_bank(slug).get(qid)
    widget = page.locator(".vlab-predict").first
    expect(widget).to_be_visible(timeout=180_000)
    reveal = widget.locator(".vlab-predict-reveal")
    expect(reveal).to_have_text("")  # nothing explained before the commitment
    if question.type in ("numeric", "string"):
        entry = widget.locator(".vlab-quiz-entry input")
        entry.fill("1")
        entry.press("Enter")  # the text box syncs its value on Enter or blur
    elif question.type == "many_choice":
        widget.locator(".vlab-quiz-choice input[type=checkbox]").first.check()
    else:
        widget.locator(".vlab-quiz-choice .widget-radio-box label").first.click()
    widget.locator("button.vlab-predict-commit").click()
    expect(reveal).not_to_have_text("", timeout=30_000)
    expect(widget.locator("button.vlab-predict-commit")).to_be_disabled()
    if question.reveal:
        expect(widget.locator(".vlab-predict-notice")).to_contain_text("What to notice", timeout=30_000)


def _write_your_turn(page, expect, turn, answers) -> None:
    lab, turn_id, name = turn
    from vlab.exercises import turns

    starter = next(t.starter for t in turns(lab) if t.id == turn_id)
    right = answers[(lab, turn_id)][1]
    cell = page.locator(".jp-CodeCell").filter(has_text=f'your_turn("{lab}", "{turn_id}"').first
    expect(cell.locator(".jp-OutputArea")).to_contain_text("Not yet", timeout=180_000)  # the starter
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(f'{starter}{right}your_turn("{lab}", "{turn_id}", {name})')
    page.keyboard.press("Shift+Enter")
    expect(cell.locator(".jp-OutputArea")).to_contain_text("Passed", timeout=60_000)


def _find_checker(page, expect, cases):
    """The first checker on the page whose text area holds a case's starting work (waits for render)."""
    expect(page.locator(".vlab-checker-work textarea").first).to_be_visible(timeout=180_000)
    for _ in range(60):
        for box in page.locator(".vlab-checker").all():
            area = box.locator(".vlab-checker-work textarea")
            if area.count():
                work = area.input_value().strip()
                case = next((c for c in cases if c["start"].strip() == work), None)
                if case is not None:
                    return box, area, case
        page.wait_for_timeout(1_000)
    raise AssertionError("no checker on the page starts from a case in tests/hint_cases")


def _solve_checker(page, expect, cases) -> str:
    box, area, case = _find_checker(page, expect, cases)
    results = box.locator(".vlab-checker-results")
    box.locator("button.vlab-checker-check").click()
    expect(results).to_contain_text("checks pass", timeout=60_000)
    expect(results).not_to_contain_text("All")
    area.fill(case["solution"])
    box.locator("button.vlab-checker-check").click()
    expect(results).to_contain_text(re.compile(r"All \d+ checks pass"), timeout=60_000)
    return case["exercise"]


@pytest.mark.parametrize("slug", LABS)
def test_the_learner_path_in_the_learner_edition(learner_lab, require_tool, slug):
    chromium = require_tool("chromium")
    from playwright.sync_api import expect, sync_playwright

    from vlab.learn.progress import ProgressStore

    base, token, tmp = learner_lab
    path = learner_path(slug)
    with sync_playwright() as p:
        browser = launch(p, chromium, tmp, f"profile-{slug}", viewport={"width": 1400, "height": 1000})
        page = open_and_run_all(browser, base, token, f"{slug}.ipynb", folder="")
        _wait_until_every_cell_ran(page)
        if path["prediction"]:
            _commit_prediction(page, expect, slug, path["prediction"])
        if path["turn"]:
            _write_your_turn(page, expect, path["turn"], _answers())
        exercise = _solve_checker(page, expect, path["cases"])
        page.screenshot(path=str(tmp / f"walk-{slug}.png"), full_page=False)
        for number, image in enumerate(page.locator(".jp-RenderedMarkdown img[src*='.svg']").all()):
            image.scroll_into_view_if_needed()
            expect(image).to_be_visible()
            page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=image.element_handle(),
                                   timeout=30_000)  # the diagram loaded from the workspace
            image.screenshot(path=str(tmp / f"diagram-{slug}-{number}.png"))
        text = page.locator(".jp-NotebookPanel").inner_text()
        browser.close()

    for source in path["instructor"]:
        first = next(line for line in source.splitlines() if len(line.strip()) > 20)
        assert first.strip()[:60] not in text, "an instructor cell is in the learner's page"
    recorded = {(a.question_id, a.correct) for a in ProgressStore(
        path=tmp / "vlab_home" / "progress.sqlite").attempts(lab=slug, all_learners=True)}
    assert {(exercise, False), (exercise, True)} <= recorded
    if path["prediction"]:
        assert any(qid == path["prediction"] for qid, _ in recorded)
    if path["turn"]:
        assert {(f"your-turn-{path['turn'][1]}", False), (f"your-turn-{path['turn'][1]}", True)} <= recorded


def test_every_lab_after_the_first_has_a_prediction_and_a_your_turn_on_its_path():
    for slug in LABS[1:]:
        path = learner_path(slug)
        assert path["prediction"] and path["turn"] and path["cases"], slug
