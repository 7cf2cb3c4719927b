"""Root pytest configuration: keep doctest collection to the package's modules.

``--doctest-modules`` would otherwise import every ``*.py`` under ``tests/`` (including the several
``conftest.py`` files, which then clash by module name) and modules that run on import.
"""

collect_ignore = ["src/analysis/__main__.py"]
collect_ignore_glob = [
    "notebooks/*",
    "reports/*",
    "data/*",
    "tools/*",
    "tests/conftest.py",
    "tests/*/conftest.py",
    "tests/*/fixtures/*",
]
