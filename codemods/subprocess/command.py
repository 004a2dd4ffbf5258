"""Processes in coroutines: ``subprocess.run/call/check_call/check_output`` and
``os.system`` -> a helper built on ``asyncio.create_subprocess_*`` that returns what the
original returned; every other process call (``Popen``, ``getoutput``, ``os.spawn*``,
``os.popen``, ``os.wait*``, calls with ``timeout=`` or arguments the helper does not
carry) -> ``await asyncio.to_thread(...)``.
"""

from __future__ import annotations

import libcst as cst
from libcst.codemod import CodemodContext

from codemods.core.blocking import Blocking
from codemods.core.build import kwarg
from codemods.core.catalogue import ObjectKind
from codemods.core.insert import defined_helpers, insert_after_header, parse_helper
from codemods.core.kinds import kind_of
from codemods.core.offloading import OffloadingCodemod
from codemods.subprocess.helper_sources import (
    RUN_HELPER,
    RUN_SOURCE,
    SYSTEM_HELPER,
    SYSTEM_SOURCE,
)
from codemods.subprocess.spec import FAMILIES, SPEC

_HELPERS = {RUN_HELPER: RUN_SOURCE, SYSTEM_HELPER: SYSTEM_SOURCE}
_HELPER_IMPORTS = {
    RUN_HELPER: ("asyncio", "locale", "os", "subprocess"),
    SYSTEM_HELPER: ("asyncio",),
}

# Keywords the run helper carries over exactly, per function.
_PASS_THROUGH = {"cwd", "env", "stdin", "stdout", "stderr", "start_new_session"}
_RUN_KEYWORDS = {
    *_PASS_THROUGH,
    "input",
    "capture_output",
    "check",
    "shell",
    "text",
    "universal_newlines",
    "encoding",
    "errors",
}
_KEYWORDS = {
    "subprocess.run": _RUN_KEYWORDS,
    "subprocess.check_output": _RUN_KEYWORDS - {"input", "capture_output", "check", "stdout"},
    # call/check_call never read pipes: no text, input or capture.
    "subprocess.call": {*_PASS_THROUGH, "shell"},
    "subprocess.check_call": {*_PASS_THROUGH, "shell"},
}


class SubprocessCommand(OffloadingCodemod):
    """Run processes without blocking the event loop."""

    SPEC = SPEC

    FAMILIES = FAMILIES
    OFFLOADED = "AM503"
    NOT_OFFLOADED = "AM504"
    THREAD_BOUND = "AM505"  # never emitted: process objects are not thread-bound
    CANNOT_HERE = "AM505"

    def __init__(self, context: CodemodContext, offload: bool = True) -> None:
        super().__init__(context, offload)
        self._needed: dict[str, None] = {}

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if not self.in_coroutine() or node.attr.value not in ("stdin", "stdout", "stderr"):
            return
        if isinstance(node.value, cst.Name) and kind_of(self, node.value) == ObjectKind.POPEN:
            self.report(
                node,
                "AM506",
                f"{node.value.value}.{node.attr.value} of a subprocess.Popen is used in a "
                "coroutine: reading or writing it blocks; migrate by hand "
                "(asyncio.create_subprocess_exec gives async streams)",
            )

    def visit_WithItem(self, node: cst.WithItem) -> None:
        with_node = self.parent_of(node)
        if not self.in_coroutine() or not isinstance(with_node, cst.With):
            return
        if with_node.asynchronous is None and kind_of(self, node.item) == ObjectKind.POPEN:
            self.report(
                node,
                "AM506",
                "with subprocess.Popen(...): leaving the block waits for the process and "
                "blocks; migrate by hand",
            )

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        existing = defined_helpers(updated_node)
        missing = [parse_helper(_HELPERS[n]) for n in self._needed if n not in existing]
        return insert_after_header(updated_node, missing) if missing else updated_node

    # -- the idiomatic rewrites -----------------------------------------------

    def idiomatic(
        self, original: cst.Call, updated: cst.Call, found: Blocking
    ) -> cst.BaseExpression | None:
        name = found.name
        if name == "os.system":
            if not _one_positional(updated) or not self._helper_usable(original, SYSTEM_HELPER):
                return None
            if self.suppressed(original, "AM502"):
                return None
            self.drop_import_if_unused(original.func)
            self.fixed(original, "AM502", f"os.system -> await {SYSTEM_HELPER} (same wait status)")
            call = updated.with_changes(func=cst.Name(SYSTEM_HELPER))
            return self.awaited(original, call)
        if name not in _KEYWORDS or not _carried_over(updated, _KEYWORDS[name]):
            return None
        if not self._helper_usable(original, RUN_HELPER) or self.suppressed(original, "AM501"):
            return None
        extra: list[cst.Arg] = []
        if name == "subprocess.check_output":
            extra.append(kwarg("stdout", cst.parse_expression("subprocess.PIPE")))
        if name in ("subprocess.check_output", "subprocess.check_call"):
            extra.append(kwarg("check", cst.Name("True")))
        args = _append(updated, extra) if extra else list(updated.args)
        call = updated.with_changes(func=cst.Name(RUN_HELPER), args=args)
        awaited = self.awaited(original, call)
        attribute = {
            "subprocess.call": "returncode",
            "subprocess.check_call": "returncode",
            "subprocess.check_output": "stdout",
        }.get(name)
        self.drop_import_if_unused(original.func)
        self.fixed(original, "AM501", f"{name} -> await {RUN_HELPER}(...)")
        if attribute is None:
            return awaited
        if not awaited.lpar:
            awaited = awaited.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        result = cst.Attribute(value=awaited, attr=cst.Name(attribute))
        return result

    def _helper_usable(self, original: cst.Call, helper: str) -> bool:
        """The helper's name and the modules it uses are free at module level (or the
        helper is already there, added by an earlier run)."""
        module = self._module_of(original)
        existing = defined_helpers(module).get(helper) if module is not None else None
        if existing is not None:
            if not existing.deep_equals(parse_helper(_HELPERS[helper])):
                return False  # the name is taken: the call is offloaded instead
        elif not self.global_name_free(original, helper):
            return False
        for module_name in _HELPER_IMPORTS[helper]:
            if not self.module_name_free(original, module_name):
                return False
            if not self.global_module_free(original, module_name):
                return False
        for module_name in _HELPER_IMPORTS[helper]:
            self.need_import(module_name)
        self._needed[helper] = None
        return True

    def _module_of(self, node: cst.CSTNode) -> cst.Module | None:
        current: cst.CSTNode | None = node
        while current is not None and not isinstance(current, cst.Module):
            current = self.parent_of(current)
        return current


def _one_positional(call: cst.Call) -> bool:
    return len(call.args) == 1 and call.args[0].keyword is None and not call.args[0].star


def _carried_over(call: cst.Call, keywords: set[str]) -> bool:
    """One positional ``args``, a list or tuple display (or, with ``shell=True``, a string
    literal: asyncio's shell takes nothing else), then only keywords the helper carries
    over."""
    if not call.args or call.args[0].keyword is not None or call.args[0].star:
        return False
    shell: cst.BaseExpression | None = None
    for arg in call.args[1:]:
        if arg.keyword is None or arg.star or arg.keyword.value not in keywords:
            return False
        if arg.keyword.value == "shell":
            shell = arg.value
        if arg.keyword.value in ("stdin", "stdout", "stderr") and _is_pipe(arg.value):
            if "input" not in keywords:  # call/check_call would never read the pipe
                return False
    first = call.args[0].value
    if shell is None or (isinstance(shell, cst.Name) and shell.value == "False"):
        # A list, as on every platform; a lone string is one program only on POSIX.
        return isinstance(first, (cst.List, cst.Tuple))
    if isinstance(shell, cst.Name) and shell.value == "True":
        return isinstance(first, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString))
    return False


def _is_pipe(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.Attribute, cst.Name)) and (
        (node.attr.value if isinstance(node, cst.Attribute) else node.value) == "PIPE"
    )


def _append(call: cst.Call, extra: list[cst.Arg]) -> list[cst.Arg]:
    """The call's arguments followed by ``extra``, in the original's layout (one argument
    per line stays one per line) and with its trailing comma."""
    args = list(call.args)
    trailing = args[-1].comma
    space: cst.Comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    separators = [a.comma for a in args[:-1] if isinstance(a.comma, cst.Comma)]
    if separators:
        space = separators[-1]
    elif isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):
        space = cst.Comma(whitespace_after=call.whitespace_before_args)
    out = [*args[:-1], args[-1].with_changes(comma=space)]
    for index, arg in enumerate(extra):
        final = index == len(extra) - 1
        out.append(arg.with_changes(comma=trailing if final else space))
    return out
