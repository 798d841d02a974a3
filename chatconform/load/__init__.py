"""Load tests: Locust scenarios with LLM streaming metrics, SLO gating, reports, sweeps.

Modules that import Locust (and so gevent's monkey-patching) are only ever
imported inside a Locust process: users, hooks, client, finish, shapes and
the locustfiles. Everything else (timing, metrics, recorder, slo, summary,
report, plots, sweep, options, cli, launch) is plain Python, safe to import
from pytest and the conformance suites.
"""
