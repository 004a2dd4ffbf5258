"""The one interface between the engine and a codemod: run a command class over one
module and get back the new module and what the codemod recorded.

The engine imports this module only for files that reach libcst.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.metadata import MetadataWrapper

from codemods.core.base import AsyncCodemod
from codemods.core.catalogue import ObjectKind
from codemods.core.findings import Finding
from codemods.core.ignored import IGNORED_CODES, LeftAlone, Site
from codemods.core.only_at import OnlyAt


@dataclass(frozen=True)
class Outcome:
    """What one codemod made of one module."""

    module: cst.Module
    #: In the positions of the module it was given.
    findings: list[Finding]
    #: The sites it left alone because their code is off (same positions).
    left_alone: frozenset[Site] = frozenset()


def run_codemod(
    command: type[AsyncCodemod],
    wrapper: MetadataWrapper,
    *,
    filename: str,
    options: dict[str, Any],
    reserved_names: frozenset[str] = frozenset(),
    bound_left_out: frozenset[str] = frozenset(),
    only_at: OnlyAt | None = None,
    left_alone: LeftAlone | None = None,
    source: bytes | None = None,
    attribute_kinds: Mapping[tuple[str, str], ObjectKind] | None = None,
) -> Outcome:
    """Run ``command`` (built with ``options``) over ``wrapper.module``, reusing the
    metadata ``wrapper`` has resolved; names in ``reserved_names`` are never invented, and
    those in ``bound_left_out`` are bound at module level by code left out of the tree;
    under ``only_at``, every site it does not list counts as silenced, and so does every
    site of ``left_alone``. The codes listed in the option ``ignored_codes`` are
    silenced everywhere (see :mod:`codemods.core.ignored`). ``source``: what
    ``wrapper.module`` was parsed from, when it was (some answers are read from it);
    ``attribute_kinds``: what the whole module keeps on ``self`` (see
    :mod:`codemods.core.attributes`)."""
    options = dict(options)
    ignored = frozenset(code.upper() for code in options.pop(IGNORED_CODES, ()))
    codemod = command(CodemodContext(filename=filename), **options)
    codemod.share(wrapper, reserved_names, bound_left_out, source, attribute_kinds)
    codemod.only_at = only_at
    codemod.ignored_codes = ignored
    codemod.left_alone = left_alone or LeftAlone()
    module = codemod.transform_module(wrapper.module)
    return Outcome(module, codemod.findings, frozenset(codemod.sites_left_alone))
