"""The pytest adapter: the only pytest-aware code of chatconform.

`plugin` (the `pytest11` entry point: options, markers, hooks), `fixtures`
(what suites and users' own tests ask for), `conform` (applying checks inside
a test), `results` (pytest reports to report data), `settings` (the option
table), `run_check` (the `chatconform check` command), and the helpers the
shipped suites use for gateway mode (`gateway`) and policy discovery
(`policy`). Nothing below this package imports it.
"""
