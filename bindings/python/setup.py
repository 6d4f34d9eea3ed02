"""Wheel tagging for the binding (the metadata is in pyproject.toml).

The binding itself is pure Python (ctypes). A wheel that carries
libairlock.so.0 (make wheel) holds machine code, so it is tagged for this
platform ("py3-none-linux_x86_64"): any Python 3, no extension ABI, this
architecture. Without the library the wheel stays pure ("py3-none-any").
"""

import os

from setuptools import Distribution, setup

try:  # setuptools >= 70.1 has its own; Debian 12's comes from python3-wheel
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:
    from wheel.bdist_wheel import bdist_wheel

HERE = os.path.dirname(os.path.abspath(__file__))
BUNDLED = os.path.join(HERE, "airlock", "libairlock.so.0")


class WithLibrary(Distribution):
    """Holds machine code, though no extension module: a platform wheel."""

    def has_ext_modules(self):
        return True


class PlatformWheel(bdist_wheel):
    def get_tag(self):
        _, _, platform = super().get_tag()
        return "py3", "none", platform


if os.path.exists(BUNDLED):
    setup(distclass=WithLibrary, cmdclass={"bdist_wheel": PlatformWheel})
else:
    setup()
