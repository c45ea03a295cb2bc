"""`vlab quiz`: list and validate question banks, export one for jupyterquiz."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from vlab.cli.errors import UserError
from vlab.cli.util import check_input_file, json_text, need_value, same_file


def register(sub) -> None:
    p = sub.add_parser(
        "quiz",
        help="list, validate or export the question banks (datasets/quizzes)",
        description="Work with the quiz banks in datasets/quizzes/<lab>.yaml.",
    )
    actions = p.add_subparsers(dest="quiz_action", metavar="ACTION")

    lst = actions.add_parser("list", help="the banks and how many questions of each type")
    lst.add_argument("--json", action="store_true", help="print JSON for scripts")

    val = actions.add_parser(
        "validate", help="check banks (all, or the labs/files given); exit 1 on a problem"
    )
    val.add_argument("banks", nargs="*", metavar="LAB|FILE", help="lab slugs or bank files")
    val.add_argument("--json", action="store_true", help="print JSON for scripts")

    exp = actions.add_parser(
        "export",
        help="write a bank in another format",
        description="Write a lab's bank as JSON that jupyterquiz's display_quiz() accepts; "
        "vlab-only fields (id, topic, points, hints, explanation, source) are dropped.",
    )
    exp.add_argument("lab", metavar="LAB|FILE", help="a lab slug such as 00_start_here, or a file")
    exp.add_argument("--format", default="jupyterquiz", choices=["jupyterquiz"],
                     help="output format (default: jupyterquiz)")
    exp.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    p.set_defaults(run=run, quiz_parser=p)


def run(args) -> int:
    action = getattr(args, "quiz_action", None)
    if action == "list":
        return _list(args)
    if action == "validate":
        return _validate(args)
    if action == "export":
        return _export(args)
    args.quiz_parser.print_help()
    return 2


def _looks_like_path(name: str) -> bool:
    return name.endswith((".yaml", ".yml", ".json")) or "/" in name or os.sep in name


def _resolve(name: str) -> str:
    """A bank file as given, or a lab slug; a lab's number ("05" or "5") stands for its slug."""
    if not name.strip():
        raise UserError("give a lab such as 00_start_here (see `vlab quiz list`) or a bank file")
    try:
        exists = Path(name).exists()
    except OSError:  # a file inside a folder the user may not enter: check_input_file says so
        exists = True
    if _looks_like_path(name) or exists:
        check_input_file(Path(name), "question bank file (.yaml or .json)")
        if not name.endswith((".yaml", ".yml", ".json")):
            raise UserError(f"{name}: a question bank is a .yaml, .yml or .json file")
        return name
    from vlab.learn.bank import available_banks

    banks = available_banks()
    if name in banks:
        return name
    if name.isdigit():
        numbered = [b for b in banks if b.split("_", 1)[0] == f"{int(name):02d}"]
        if len(numbered) == 1:
            return numbered[0]
    return name


def _read_bank(name: str):
    """load_bank(name) with every way of failing to read the file turned into a UserError;
    a bank that reads but breaks the rules still raises BankError."""
    from vlab.learn.bank import load_bank

    name = _resolve(name)
    try:
        return load_bank(name)
    except FileNotFoundError as err:
        raise UserError(str(err)) from None
    except OSError as err:
        raise UserError(f"{name}: cannot read it ({err.strerror or err})") from None


def _load(name: str):
    from vlab.learn.bank import BankError

    try:
        return _read_bank(name)
    except BankError as err:
        raise UserError(str(err)) from None


def _list(args) -> int:
    from vlab.learn.bank import BankError, available_banks, load_bank

    rows = []
    for lab in available_banks():
        try:
            bank = load_bank(lab)
        except BankError as err:
            rows.append({"lab": lab, "questions": None, "points": None, "types": {},
                         "error": str(err)})
            continue
        types: dict[str, int] = {}
        for q in bank:
            types[q.type] = types.get(q.type, 0) + 1
        rows.append({"lab": bank.lab, "questions": len(bank), "points": bank.total_points,
                     "types": types, "error": ""})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("No question banks found.")
        return 0
    print(f"{'lab':<24} {'questions':>9} {'points':>7}  types")
    for r in rows:
        if r["error"]:
            print(f"{r['lab']:<24} {'BROKEN':>9} {'':>7}  run `vlab quiz validate {r['lab']}`")
            continue
        types = ", ".join(f"{k} {v}" for k, v in sorted(r["types"].items()))
        print(f"{r['lab']:<24} {r['questions']:>9} {r['points']:>7g}  {types}")
    return 0


def _validate(args) -> int:
    from vlab.learn.bank import BankError, available_banks

    names = args.banks or available_banks()
    if not names:
        raise UserError("no question banks to validate in datasets/quizzes/")
    results = []
    for name in names:
        name = _resolve(name)
        try:
            bank = _read_bank(name)
        except BankError as err:
            results.append({"bank": name, "ok": False, "problems": err.problems})
            continue
        results.append({"bank": name, "ok": True, "questions": len(bank), "problems": []})
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for r in results:
            if r["ok"]:
                print(f"ok      {r['bank']} ({r['questions']} questions)")
            else:
                print(f"BROKEN  {r['bank']}:")
                for problem in r["problems"]:
                    print(f"    - {problem}")
    return 0 if all(r["ok"] for r in results) else 1


def _check_output(target: Path, bank) -> None:
    from vlab.learn.bank import banks_dir

    if bank.path and same_file(target, Path(bank.path)):
        raise UserError(f"--output {target} is the bank being exported; it would be replaced by "
                        f"its jupyterquiz JSON. Write to another file")
    if target.resolve().parent == banks_dir().resolve():
        raise UserError(f"--output {target} is in {banks_dir()}, where every file is read as a "
                        f"question bank; write the export somewhere else")


def _export(args) -> int:
    from vlab.learn.bank import to_jupyterquiz

    need_value("--output", args.output)
    bank = _load(args.lab)
    data = to_jupyterquiz(bank)
    if args.output:
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"  # a UTF-8 file
        target = Path(args.output)
        _check_output(target, bank)
        try:
            target.write_text(text, encoding="utf-8")
        except OSError as err:
            raise UserError(f"cannot write {target}: {err.strerror or err}") from None
        print(f"wrote {len(bank)} questions of {bank.lab} to {target}", file=sys.stderr)
    else:
        sys.stdout.write(json_text(data) + "\n")
    return 0
