"""The module-level helpers the ``subprocess`` codemod adds, as source text (free of
libcst: the declaration's examples show them too)."""

from __future__ import annotations

RUN_HELPER = "_subprocess_run"
SYSTEM_HELPER = "_os_system"

RUN_SOURCE = f'''
async def {RUN_HELPER}(
    args,
    *,
    input=None,
    capture_output=False,
    check=False,
    shell=False,
    text=None,
    universal_newlines=None,
    encoding=None,
    errors=None,
    **popen_kwargs,
):
    """subprocess.run() that waits without blocking the event loop (added by async-migrate)."""
    if input is not None:
        if popen_kwargs.get("stdin") is not None:
            raise ValueError("stdin and input arguments may not both be used.")
        popen_kwargs["stdin"] = subprocess.PIPE
    if capture_output:
        if popen_kwargs.get("stdout") is not None or popen_kwargs.get("stderr") is not None:
            raise ValueError("stdout and stderr arguments may not be used with capture_output.")
        popen_kwargs["stdout"] = popen_kwargs["stderr"] = subprocess.PIPE
    text_mode = encoding or errors or text or universal_newlines
    if text_mode:
        encoding = encoding or locale.getpreferredencoding(False)
        errors = errors or "strict"
        if input is not None:
            input = input.encode(encoding, errors)
    if shell:
        process = await asyncio.create_subprocess_shell(args, **popen_kwargs)
    else:
        argv = [args] if isinstance(args, (str, bytes, os.PathLike)) else args
        process = await asyncio.create_subprocess_exec(*argv, **popen_kwargs)
    try:
        stdout, stderr = await process.communicate(input)
    except BaseException:  # as subprocess.run does, also when cancelled
        try:
            process.kill()
        except ProcessLookupError:
            pass
        await process.wait()
        raise
    if text_mode:
        stdout, stderr = (
            None
            if data is None
            else data.decode(encoding, errors).replace("\\r\\n", "\\n").replace("\\r", "\\n")
            for data in (stdout, stderr)
        )
    completed = subprocess.CompletedProcess(args, process.returncode, stdout, stderr)
    if check:
        completed.check_returncode()
    return completed
'''

SYSTEM_SOURCE = f'''
async def {SYSTEM_HELPER}(command):
    """os.system() that waits without blocking the event loop; returns the same wait
    status (added by async-migrate)."""
    process = await asyncio.create_subprocess_shell(command)
    try:
        returncode = await process.wait()
    except BaseException:
        try:
            process.kill()
        except ProcessLookupError:
            pass
        await process.wait()
        raise
    return returncode << 8 if returncode >= 0 else -returncode
'''
