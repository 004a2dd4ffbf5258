"""Writing ``--explain`` texts: paragraphs wrapped at 88 columns, and the paragraphs that
several codemods share (the refusals every codemod makes for the same reason).

Like :mod:`codemods.core.spec`, this module imports neither libcst nor any codemod."""

from __future__ import annotations

import textwrap

#: Explanations are wrapped at this many columns.
WIDTH = 88


def explained(*paragraphs: str) -> str:
    """An explanation: each paragraph (written with any spacing) wrapped at 88 columns,
    never inside a `quoted span`, with a blank line between paragraphs."""
    return "\n\n".join("\n".join(wrap(" ".join(p.split()))) for p in paragraphs)


def wrap(text: str) -> list[str]:
    """``text`` wrapped at :data:`WIDTH` columns, never inside a `quoted span`."""
    parts = text.split("`")
    parts[1::2] = [part.replace(" ", "\0") for part in parts[1::2]]
    lines = textwrap.wrap("`".join(parts), WIDTH, break_on_hyphens=False)
    return [line.replace("\0", " ") for line in lines]


def thread_lock(what: str) -> tuple[str, ...]:
    """Why ``what`` (``"the call"``) under ``with <thread lock>:`` is left alone."""
    return (
        f"""Why it is refused: {what} is inside a plain `with` on a thread lock in a
        coroutine (an item named like a lock: lock, self._lock, mutex, sem, or built by a
        threading or multiprocessing lock constructor). An await there would keep the lock
        held across it, and another coroutine taking the same lock would then block the
        event loop's thread for good.""",
        """What to do: move the call out of the `with` block, or make the lock an
        asyncio.Lock entered with `async with`; then rerun.""",
    )


def in_generator_expression(what: str) -> str:
    """Why ``what`` in a generator expression inside a coroutine is left alone; follow it
    with :data:`USE_A_LOOP`."""
    return f"""Why it is refused: {what} is inside a generator expression in a coroutine.
    Adding await there would turn the generator expression into an async generator, which
    the code consuming it (sum(), all(), list(), a for loop) cannot iterate."""


USE_A_LOOP = """What to do: use a list comprehension or an explicit loop, where await is
allowed."""


def name_taken(names: str, several: bool = True) -> str:
    """Why a call is left alone where a name the rewrite needs (``names``: ``"the modules
    asyncio and json"``) is bound to something else; follow it with :data:`RENAME`."""
    which = "one of those names" if several else "that name"
    return f"""Why it is refused: the rewrite needs {names}, and at the call {which} is
    bound to something else (a parameter, a local variable, `import trio as asyncio`), so
    the inserted code would use the wrong object."""


RENAME = "What to do: rename the other binding, then rerun."


#: For a refusal the offload codemod (on by default, run last) takes over.
OFFLOADED_INSTEAD = """In a default run the offload codemod, which runs last, then moves the
call to a thread (AM601), so that it no longer blocks the loop; with --no-offload it stays
as it is."""


def offloading_off(family: str) -> tuple[str, ...]:
    """Why a blocking call of ``family`` (``"process"``) is reported under
    ``--no-offload``."""
    return (
        f"""Why it is reported: this {family} call has no idiomatic async rewrite here, so
        the codemod would run it in a thread (`await asyncio.to_thread(func, *args)`), but
        offloading is off: --no-offload, or `offload = false` in the codemod's table of
        the configuration. Idiomatic rewrites are still made.""",
        """What to do: migrate the call by hand, or let the tool offload it (run without
        --no-offload).""",
    )
