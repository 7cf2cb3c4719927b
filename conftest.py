"""Root pytest configuration: keep doctest collection away from modules that run on import."""

collect_ignore = ["src/analysis/__main__.py"]
collect_ignore_glob = ["notebooks/*", "reports/*", "data/*", "tools/browser/node_modules/*"]
