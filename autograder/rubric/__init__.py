"""The rubric: what is checked, for how many points, and the known mistakes each check can name.

`model` holds the data, `source` reads the file, `schema` the JSON schemas, `load` validates.
"""
