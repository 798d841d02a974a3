# The JSON Schemas (draft 2020-12) of chatconform, shipped in the wheel as the data package
# `chatconform.schema_files`. This file only makes the folder importable for `importlib.resources`;
# the loader is `chatconform/schemas.py`.
