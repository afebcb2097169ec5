"""The fused z-score kernel compiled ahead of time: an extension module that loads in
milliseconds, without numba.

    python -m tumbuh.growth._aot            # build it for this machine (unless it is there)
    python -m tumbuh.growth._aot --force    # build it again

numba's just-in-time kernel (``_fused_jit.py``) costs ~0.5–1 s of CPU in each process that
loads it, even from numba's on-disk cache (numba's import alone is ~0.25 s): as much as the
numpy kernel needs for 1–2 million rows. The same source compiled once by numba's ``pycc``
into a C extension loads as any other: a process then uses the compiled kernel for every
call of ``zscores.FUSED_MIN_ROWS`` rows or more.

The module is built for this CPU (``target_cpu="host"``), this Python and this numpy, from
this source: its name carries a hash of the two kernel files (``_fused_jit.py`` and
``_fused.py``, which lays out its arguments), the Python and numpy versions and the CPU's
model and flags, so a changed kernel or another machine never loads a stale module (it uses
the JIT until the module is built again). ``make setup`` builds it; so does ``tumbuh
zscore`` on a big input when it is missing (in the background, for the next process:
``TUMBUH_KERNEL_BUILD=0`` turns that off). Building needs numba and a C compiler (~15–60 s).

Where: ``TUMBUH_KERNEL_DIR`` if set; else ``tumbuh/growth/__pycache__`` when writable (next
to numba's cache), else the user's cache (``$XDG_CACHE_HOME/tumbuh`` or ``~/.cache/tumbuh``),
so a read-only install still gets one. Loading looks in the same places; any failure to
find, load or check the module means the JIT (``_fused.use``), never wrong bits: the
compiled ``pow`` is checked against C's at first use either way (``_fused.fast_pow_ok``,
``libm_pow_ok``).

This module imports neither numba nor the kernel until :func:`build` is called.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.machinery
import importlib.util
import os
import platform
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
SOURCES = ("_fused_jit.py", "_fused.py", "_aot.py")  # _aot.py: the build flags
#: The compiled functions ``_fused.use("aot")`` binds.
EXPORTS = ("anthro_kernel", "pow_probe", "pow_fast_probe", "numeric_codes", "byte_codes")
BUILD_HINT = "python -m tumbuh.growth._aot builds it"
#: A build lock older than this is taken as left by a build that died.
STALE_LOCK_SECONDS = 900


def _cpu() -> str:
    """The CPU model and instruction-set flags (the module is compiled for this CPU)."""
    try:
        lines = []
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:  # the first processor's block
                if not line.strip():
                    break
                if line.startswith(("model name", "flags", "Features", "CPU part")):
                    lines.append(line)
        return "".join(lines)
    except OSError:
        return f"{platform.machine()} {platform.processor()}"


@functools.cache
def key() -> str:
    """Hash of what the compiled module depends on: the kernel's source, Python, numpy, CPU."""
    import numpy as np

    h = hashlib.sha256()
    for name in SOURCES:
        h.update((HERE / name).read_bytes())
    h.update(f"{sys.version}|{sys.implementation.cache_tag}|{np.__version__}|{_cpu()}".encode())
    return h.hexdigest()[:20]


def module_name() -> str:
    return f"tumbuh_kernel_{key()}"


def filename() -> str:
    return module_name() + importlib.machinery.EXTENSION_SUFFIXES[0]


def directories() -> list[Path]:
    """Where the module is looked for, and built (the first writable one)."""
    configured = os.environ.get("TUMBUH_KERNEL_DIR")
    if configured:
        return [Path(configured)]
    user = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tumbuh"
    return [HERE / "__pycache__", user]


def find() -> Path | None:
    """The compiled module for this source and machine, if built."""
    for d in directories():
        path = d / filename()
        if path.is_file():
            return path
    return None


_AVAILABLE: bool | None = None


def available() -> bool:
    """Is there a compiled module to load (checked once per process: a ``stat`` or two)?"""
    global _AVAILABLE
    if _AVAILABLE is None:
        _AVAILABLE = find() is not None
    return _AVAILABLE


def load() -> ModuleType | None:
    """Import the compiled module; None if there is none or it does not load."""
    path = find()
    if path is None:
        return None
    try:
        spec = importlib.util.spec_from_file_location(module_name(), path)
        if spec is None or spec.loader is None:
            return None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if not all(hasattr(module, name) for name in EXPORTS):
            raise ImportError(f"{path} lacks some of {', '.join(EXPORTS)}")
    except Exception as exc:  # a truncated file, another ABI...: the JIT then
        warnings.warn(f"compiled z-score kernel {path} does not load: {exc}", RuntimeWarning, stacklevel=2)
        return None
    return module


def _writable_directory() -> Path:
    for d in directories():
        try:
            d.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(d, os.W_OK):
            return d
    raise OSError(f"no writable directory for the compiled kernel among {', '.join(map(str, directories()))}")


def _signatures() -> dict:
    """The numba signature of each exported function, as ``_fused`` calls it: from calls
    of the JIT kernel on a few rows (every measurement, months and days, numeric and text
    codes), so that the compiled module takes exactly the arrays the JIT did."""
    import numpy as np
    import pyarrow as pa

    from . import _fused, _fused_jit, zscores

    _fused.use("jit")
    _fused.libm_pow_ok()
    _fused.fast_pow_ok()
    n = 64
    rng = np.random.default_rng(1)
    rows = dict(
        sex=rng.integers(1, 3, n).astype(np.float64),
        age_days=rng.uniform(0, 1800, n),
        age_months=rng.uniform(0, 60, n),
        weight=rng.uniform(3, 20, n),
        lenhei=rng.uniform(50, 110, n),
        headc=rng.uniform(35, 50, n),
        armc=rng.uniform(11, 16, n),
        triskin=rng.uniform(5, 10, n),
        subskin=rng.uniform(5, 10, n),
    )
    zscores._anthro_zscores(
        **rows,  # type: ignore[arg-type]
        measure=pa.array(["l"] * n),
        oedema=pa.array(["n"] * n),
        engine="fused",
    )
    _fused.fast_codes(rows["sex"], n, zscores.SEX_TEXT, zscores.SEX_NUMERIC)
    _fused.fast_codes(pa.array(["y", "n"] * (n // 2)), n, zscores.OEDEMA_TEXT, zscores.OEDEMA_NUMERIC)
    sigs = {}
    for name in EXPORTS:
        found = getattr(_fused_jit, name).nopython_signatures
        if len(found) != 1:
            raise RuntimeError(f"_fused_jit.{name} was compiled for {len(found)} signatures, not one: {found}")
        sigs[name] = found[0]
    return sigs


@contextlib.contextmanager
def _jit_flags() -> Iterator[None]:
    """pycc compiles with numba's default flags; the JIT kernel's are ``_fused_jit._jit``'s:
    x/0 gives ±inf/NaN as in numpy instead of raising (``error_model="numpy"``), and the
    calls release the GIL (``nogil``: two scoring threads run at once). No fastmath either
    way."""
    from numba.pycc import compiler

    base = compiler.Flags

    class Flags(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.error_model = "numpy"
            self.release_gil = True

    compiler.Flags = Flags  # type: ignore[misc]
    try:
        yield
    finally:
        compiler.Flags = base  # type: ignore[misc]


def build(directory: Path | None = None, *, verbose: bool = False) -> Path:
    """Compile the kernel into ``directory`` (default: the first writable of
    :func:`directories`); return the module's path. Raises if numba, ``pycc`` or a C
    compiler is missing, or compilation fails."""
    import tempfile

    from numba.pycc import CC

    from . import _fused_jit

    target = Path(directory) if directory else _writable_directory()
    target.mkdir(parents=True, exist_ok=True)
    sigs = _signatures()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pycc's pending deprecation
        cc = CC(module_name())
    cc.target_cpu = "host"
    cc.verbose = verbose
    for name, sig in sigs.items():
        cc.export(name, sig)(getattr(_fused_jit, name).py_func)
    with tempfile.TemporaryDirectory(dir=target, prefix=".build-") as tmp:
        cc.output_dir = tmp
        cc.output_file = filename()
        with warnings.catch_warnings(), _jit_flags():
            warnings.simplefilter("ignore")
            cc.compile()
        path = target / filename()
        os.replace(Path(tmp) / filename(), path)  # atomic: a reader never sees half a file
    global _AVAILABLE
    _AVAILABLE = None
    return path


def build_in_background() -> bool:
    """Start a build in a detached, low-priority process unless the module exists, one is
    running, or ``TUMBUH_KERNEL_BUILD=0``. True if started."""
    import subprocess

    if os.environ.get("TUMBUH_KERNEL_BUILD", "1") == "0" or available():
        return False
    try:
        lock = _writable_directory() / f".{module_name()}.lock"
        try:
            if time.time() - lock.stat().st_mtime < STALE_LOCK_SECONDS:
                return False  # another process is building it
            lock.unlink()
        except FileNotFoundError:
            pass
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        os.close(fd)
        # this interpreter, this module, fixed arguments; the child lowers its own priority
        # (no preexec_fn: the caller may be running threads)
        subprocess.Popen(  # noqa: S603  # nosec B603
            [sys.executable, "-m", "tumbuh.growth._aot", "--lock", str(lock)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m tumbuh.growth._aot", description=__doc__.split("\n\n")[0])
    p.add_argument("--force", action="store_true", help="build even if the module exists")
    p.add_argument("--dir", default=None, help="where to put it (default: see TUMBUH_KERNEL_DIR)")
    p.add_argument("--lock", default=None, help=argparse.SUPPRESS)  # removed when done
    p.add_argument("--verbose", action="store_true")
    a = p.parse_args(argv)
    if a.lock:  # started in the background by a big run: yield to everything else
        os.nice(19)
    if not a.force and a.dir is None and find() is not None:
        print(f"compiled z-score kernel: {find()}")
        return 0
    try:
        path = build(Path(a.dir) if a.dir else None, verbose=a.verbose)
    except Exception as exc:  # no numba, no C compiler...: the JIT stays in use
        # (a lock left behind keeps background builds from retrying for STALE_LOCK_SECONDS)
        print(f"compiled z-score kernel not built ({type(exc).__name__}: {exc}); the JIT is used", file=sys.stderr)
        return 1
    if a.lock:
        Path(a.lock).unlink(missing_ok=True)
    print(f"compiled z-score kernel: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
