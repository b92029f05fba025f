#!/bin/sh
# schema.sh COMMAND [FILE]: FILE (or stdin) is one --json output of harness
# COMMAND and matches docs/schema/COMMAND.json; says why when it does not.
# Debian's python3 with python3-jsonschema (scripts/deps.sh test) checks it.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
schema="$root/docs/schema/$1.json"
[ -f "$schema" ] || { echo "schema.sh: no schema $schema" >&2; exit 2; }
check='
import json, sys
import jsonschema

with open(sys.argv[1]) as f:
    schema = json.load(f)
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
text = sys.stdin.read() if sys.argv[2] == "-" else open(sys.argv[2]).read()
try:
    doc = json.loads(text)
except ValueError as e:
    sys.exit("not JSON: %s" % e)
errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.absolute_path))
for e in errors[:5]:
    print("at /%s: %s" % ("/".join(map(str, e.absolute_path)), e.message), file=sys.stderr)
sys.exit(1 if errors else 0)
'
exec /usr/bin/python3 -c "$check" "$schema" "${2:--}"
