"""The conformance suites, shipped in the package so `chatconform check` runs them from a plain install.

Each module is one feature (its marker is the report's column); tests build a
request, send it through `raw` or the official SDK, and apply named checks with
`conform.check`. Fixtures come from the `chatconform` pytest plugin.
"""
