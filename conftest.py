"""What a test run from a checkout needs, and nothing a user's run of the suites would not.

- The harness's own tests drive inner pytest sessions (`pytester`) to test the plugin: the plugin is loaded
  here rather than in `addopts`, so `pytest suites --base-url ...` against a gateway does not carry it.
- Folders that hold no tests are not collected: `bench/` (benchmark scripts that print figures),
  `loadtests/` (Locust entry points: importing locust monkey-patches the whole process with gevent),
  `docs/` and `reports/` (generated output).

The conformance suites themselves (`suites/`) need nothing from here: their fixtures come from the
`chatconform` pytest plugin, and `chatconform check` runs them with this file out of reach (`--confcutdir`).
The harness's tests keep their own fixtures in `tests/conftest.py`, including the one that keeps a user's
`CHATCONFORM_*` environment out of them.
"""

pytest_plugins = ["pytester"]
collect_ignore = ["bench", "loadtests", "docs", "reports", "build", "dist"]
