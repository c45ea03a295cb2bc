"""`vlab scores`: a workshop's class table from the participants' `vlab progress --export` files."""
from __future__ import annotations

import json
import sys

from vlab.cli.errors import UserError
from vlab.cli.util import need_value, same_file


def register(sub) -> None:
    p = sub.add_parser(
        "scores",
        help="class table (completion per learner and lab) from participants' exported CSV files",
        description="Merge the files participants wrote with `vlab progress --export` into one "
        "table: quiz completion per learner and lab, and points. An attempt found in two files "
        "counts once. Rows a file cannot supply are reported with file and line; the rest are kept.",
    )
    p.add_argument("files", nargs="+", metavar="FILE.csv", help="exported attempt files")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.add_argument("--output", "-o", metavar="CLASS.csv",
                   help="also write the table as CSV, one row per learner and lab")
    p.set_defaults(run=run)


def run(args) -> int:
    from pathlib import Path

    from vlab.learn.progress import bank_points, bank_predictions
    from vlab.learn.scores import ScoreFileError, class_table, merge, read_export

    need_value("--output", args.output)
    if args.output and any(same_file(Path(args.output), Path(name)) for name in args.files):
        raise UserError(f"--output {args.output} is one of the export files; write the table elsewhere")
    files, problems = [], []
    for name in args.files:
        try:
            f = read_export(name)
        except ScoreFileError as err:
            problems.append(str(err))
            continue
        files.append(f)
        problems.extend(f.problems)
    for line in problems:
        print(f"vlab: skipped {line}", file=sys.stderr)
    if not files:
        raise UserError("no usable export file; each must come from `vlab progress --export`")
    table = class_table(merge(files), bank_points(), bank_predictions())
    if args.output:
        from vlab.learn.scores import write_table

        try:
            n = write_table(table, args.output)
        except OSError as err:
            raise UserError(f"cannot write {args.output}: {err.strerror or err}") from None
        print(f"wrote {n} row(s) to {args.output}", file=sys.stderr)
    if args.json:
        print(json.dumps({
            "files": [str(f.path) for f in files],
            "skipped": problems,
            "learners": [
                {"learner": row.learner,
                 "questions_correct": row.questions_correct, "questions_total": row.questions_total,
                 "points_earned": row.points_earned, "points_possible": row.points_possible,
                 "labs": {lab: {"completion": p.completion, "questions_correct": p.questions_correct,
                                "questions_total": p.questions_total, "attempts": p.attempts,
                                "points_earned": p.points_earned}
                          for lab, p in row.labs.items()}}
                for row in table
            ],
        }, indent=2))
    else:
        _print_table(table)
    return 1 if problems else 0


def _print_table(table) -> None:
    labs = sorted({lab for row in table for lab in row.labs})
    head = ["learner".ljust(16)] + [lab[:2].rjust(5) for lab in labs] + ["total".rjust(14)]
    print(" ".join(head))
    for row in table:
        cells = [row.learner[:16].ljust(16)]
        for lab in labs:
            p = row.labs.get(lab)
            shown = "-" if p is None or p.completion is None or p.attempts == 0 \
                else f"{p.completion:.0%}"
            cells.append(shown.rjust(5))
        total = f"{row.questions_correct}/{row.questions_total} q"
        cells.append(total.rjust(14))
        print(" ".join(cells))
    print(f"{len(table)} learner(s); columns are labs by number, cells the share of the lab's "
          "quiz answered correctly ('-': not started).")
