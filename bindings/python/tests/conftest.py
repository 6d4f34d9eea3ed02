"""pytest setup: import the binding from this checkout, whatever the cwd."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import pytest  # noqa: E402

import airlock  # noqa: E402


def pytest_report_header(config):
    try:
        return "libairlock: %s (MicroPython %s, host functions: %s)" % (
            airlock.library_path(),
            airlock.guest_version(),
            "yes" if airlock.has_host_functions() else "no",
        )
    except airlock.LibraryNotFoundError as e:
        return "libairlock: NOT FOUND: %s" % e


needs_host_functions = pytest.mark.skipif(
    not airlock.has_host_functions(),
    reason="this libairlock has no airlock_runtime_register_function yet",
)
