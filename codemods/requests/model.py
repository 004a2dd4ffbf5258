"""What the requests codemod knows about one request and one user session."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import libcst as cst

from codemods.requests import arguments, responses


class Form(enum.Enum):
    """How a request or a session is written."""

    ASSIGN = "assign"  # r = requests.get(u)
    EXPR = "expr"  # requests.get(u) as a statement (requests only)
    CHAINED = "chained"  # requests.get(u).json() (requests only)
    WITH = "with"  # with requests.get(u) as r:


@dataclass
class Request:
    call: cst.Call
    method: str
    session: str | None  # the user's session variable, or None for a module function
    form: Form | None = None  # None until the planner accepts the request
    stmt: cst.BaseStatement | None = None
    target: str | None = None
    info: arguments.CallInfo = field(default_factory=arguments.CallInfo)
    uses: list[responses.Use] = field(default_factory=list)
    in_block: bool = True
    end: int = -1  # the last statement of the block the response is used in


@dataclass
class UserSession:
    call: cst.Call
    name: str
    form: Form  # WITH or ASSIGN
    stmt: cst.BaseStatement
    requests: list[Request] = field(default_factory=list)
    auth: list[cst.Assign] = field(default_factory=list)
    closes: list[cst.Call] = field(default_factory=list)
    dropped: list[cst.BaseStatement] = field(default_factory=list)
    end: int = -1
