#!/usr/bin/env python3
"""Apply one mutant of tests/mutation/mutants.py to a worktree's driver.

    tests/mutation/mutate.py WORKTREE ID     # resets guest-driver/, applies ID
    tests/mutation/mutate.py WORKTREE --list
    tests/mutation/mutate.py WORKTREE --check  # every mutant still applies
"""
import os, subprocess, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mutants import M  # noqa: E402


def apply(wt, i):
    subprocess.run(['git', '-C', wt, 'checkout', '--', 'guest-driver'], check=True)
    for f, old, new, _ in M[i][2]:
        p = os.path.join(wt, f)
        s = open(p).read()
        if s.count(old) != 1:
            sys.exit(f'{i}: {s.count(old)} matches in {f} for {old[:60]!r}')
        open(p, 'w').write(s.replace(old, new, 1))


wt, what = sys.argv[1], sys.argv[2]
if what == '--list':
    for i, (rule, desc, _) in M.items():
        print(f'{i:5} {rule:4} {desc}')
elif what == '--check':
    for i in M:
        apply(wt, i)
    subprocess.run(['git', '-C', wt, 'checkout', '--', 'guest-driver'], check=True)
    print(f'all {len(M)} mutants apply')
else:
    apply(wt, what)
    subprocess.run(['git', '-C', wt, 'diff', '--', 'guest-driver'])
