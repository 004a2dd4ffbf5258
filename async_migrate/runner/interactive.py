"""``--interactive``: show each changed file's diff and ask whether to apply it.

Answers: ``y`` apply, ``n`` skip, ``a`` apply this and every later file, ``q`` quit
(skip this and every later file). End of input counts as ``q``. A file that changed
on disk since it was read is not written.
"""

from __future__ import annotations

from dataclasses import replace
from typing import BinaryIO, TextIO

from async_migrate.runner.interrupts import deferred
from async_migrate.runner.output import Output
from async_migrate.runner.processing import FileReport
from async_migrate.runner.report import Report
from async_migrate.runner.writing import replace_contents

PROMPT = "Apply these changes to {path}? [y]es, [n]o, [a]ll remaining, [q]uit: "
_ANSWERS = {"y": "y", "yes": "y", "n": "n", "no": "n", "a": "a", "all": "a", "q": "q", "quit": "q"}


class Review:
    """Asks about each changed file, through ``questions`` (stdout) and ``answers``."""

    def __init__(self, answers: TextIO, questions: BinaryIO) -> None:
        self.answers = answers
        self.questions = questions
        self.apply_all = False
        self.quit = False

    def decide(self, file: FileReport, path: str, output: Output, report: Report) -> None:
        if not file.changed or file.new is None:
            report.add(file)
            output.file(file)
            return
        answer = "n" if self.quit else "y" if self.apply_all else self._ask(file, output)
        if answer == "a":
            self.apply_all, answer = True, "y"
        elif answer == "q":
            self.quit, answer = True, "n"
        if answer == "y":
            file = _apply(file, path, report)
        else:
            report.declined += 1
            file = replace(file, changed=False, findings=[f for f in file.findings if not f.fixed])
        report.add(file)
        output.file(file, applied=True)

    def _ask(self, file: FileReport, output: Output) -> str:
        output.diff(file.diff)
        while True:
            self.questions.write(PROMPT.format(path=file.display).encode())
            self.questions.flush()
            line = self.answers.readline()
            if not _isatty(self.answers):
                # Answers from a pipe are not echoed: show them, so the log reads well.
                self.questions.write(line.strip().encode() + b"\n")
            if not line:
                return "q"
            answer = _ANSWERS.get(line.strip().lower())
            if answer is not None:
                return answer


def _isatty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _apply(file: FileReport, path: str, report: Report) -> FileReport:
    assert file.new is not None
    with deferred():  # a signal waits until the file is written and counted
        error = replace_contents(path, file.new, file.digest)
        if error is None:
            report.written += 1
    return file if error is None else replace(file, error=error)
