"""Prints what `python` gave it (argv, __name__, sys.path[0], __file__) as JSON, then trains a little."""

import json
import sys

from tiny import train

print("CONTEXT " + json.dumps({"argv": sys.argv, "name": __name__, "path0": sys.path[0], "file": __file__}))
train(3)
