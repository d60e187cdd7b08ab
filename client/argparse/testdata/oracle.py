# Differential oracle: Ceph's own ceph_argparse on argument vectors.
# stdin: {"descriptions": PATH, "cases": [[word, ...], ...]}
# stdout: [{"json": str|null, "stderr": str}, ...]
import contextlib
import io
import json
import sys

import ceph_argparse

req = json.load(sys.stdin)
with open(req["descriptions"]) as f:
    raw = f.read()
out = []
for args in req["cases"]:
    sigdict = ceph_argparse.parse_json_funcsigs(raw, "cli")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            d = ceph_argparse.validate_command(sigdict, args)
            res = json.dumps(d) if d else None
        except Exception as e:  # the CLI would crash; report it
            res = None
            print("EXCEPTION %s: %s" % (type(e).__name__, e), file=sys.stderr)
    out.append({"json": res, "stderr": err.getvalue()})
json.dump(out, sys.stdout)
