"""What every test process of the repository shares, ``tests/`` and ``consumers/*/tests``
alike: one botocore data loader, a garbage collector that leaves alone what collection
imported, and a Ctrl-C its children can hear.

botocore gives each new session a loader of its own, which parses the endpoint and
service model JSON again: about 130 ms of CPU per client instead of about 20 ms
(``benchmarks/README.md``, "Test suite"). ``mock_aws`` makes boto3's default session
anew for every test, so each test's clients (the test's own, and those the code under
test makes: the Lambda runtime, the stack functions, a plugin's handler) paid that again.
The product shares one loader through :mod:`eventpipe.aws_clients`; here every session of
the test process does. A loader only reads botocore's data files and caches what it
parsed, as it already does for every client of one session, so what a client does is
unchanged; one loader is kept per ``AWS_DATA_PATH`` value, so that setting still counts.
"""

from __future__ import annotations

import functools
import gc
import signal
import threading

import botocore.loaders
import botocore.session


def pytest_configure() -> None:
    botocore.session.create_loader = functools.cache(botocore.loaders.create_loader)  # type: ignore[attr-defined]
    hear_sigint()


def hear_sigint() -> None:
    """Let the processes a test starts be interrupted, however this run was started.

    Tests stop ``eventpipe dev`` as a user does, with Ctrl-C (``SIGINT``), which reaches
    the job in the terminal's foreground. A run started in the background instead
    (``make test &``, ``nohup``, a CI step sent to the background) begins with SIGINT
    and SIGQUIT ignored (POSIX: a shell without job control has its background commands
    ignore both), and an ignored signal stays ignored across ``exec``: every child would
    inherit it, and Python installs its KeyboardInterrupt handler only where SIGINT
    started at its default. ``eventpipe dev`` would then never hear the test's Ctrl-C.
    A handler of this process's own is reset to the default in each child at ``exec``,
    so installing Python's usual one here gives every child the default back.
    """
    if (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    ):
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_finish() -> None:
    """Spare every test the garbage collector's scans of what collection left alive.

    Collection imports pulumi, pulumi_aws, moto, boto3 and every test module: millions
    of objects that live until the process ends, which each full pass of the cyclic
    collector walks again. ``gc.freeze()`` moves them out of its reach, and a larger
    first-generation threshold makes passes rarer during tests that allocate by the
    million (the Pulumi-mock runs, moto's responses). Cycles are still collected, only
    less often; nothing a test asserts depends on when. Measured on tests/cli,
    tests/components and tests/runtime in one process: 88.4 s -> 60.5 s of CPU
    (``benchmarks/README.md``, "Test suite").
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
