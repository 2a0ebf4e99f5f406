#!/usr/bin/python3
"""Splits the code points tokenizer_check lists as mismatching (CASES.tsv.mismatched-cps) into those
assigned in our Unicode Character Database (real errors, or a regex engine's own \\s) and those it
does not have yet (newer than the database our tables come from).
usage: classify_mismatches.py FILE... [--ucd /usr/share/unicode]"""
import sys

args = sys.argv[1:]
ucd = "/usr/share/unicode"
if "--ucd" in args:
    i = args.index("--ucd")
    ucd = args[i + 1]
    del args[i:i + 2]
assigned, first = set(), None
for line in open(f"{ucd}/UnicodeData.txt", encoding="utf-8"):
    f = line.split(";")
    cp = int(f[0], 16)
    if f[1].endswith(", First>"):
        first = cp
    elif f[1].endswith(", Last>"):
        assigned.update(range(first, cp + 1))
    else:
        assigned.add(cp)
for path in args:
    cps = {int(line.split()[0], 16) for line in open(path)}
    known = sorted(c for c in cps if c in assigned)
    print(f"{path}: {len(cps)} code points; {len(cps) - len(known)} not in this database; "
          f"{len(known)} in it: {' '.join(f'U+{c:04X}' for c in known[:12])}{' ...' if len(known) > 12 else ''}")
