#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge zpci-io guest console logs (one per guest kernel).

The log holds the kernel's console (KUnit KTAP, and any splat) and lines
that /init re-emitted from userspace programs as "@@<program>: <line>".
Each source is parsed as (nested) KTAP/TAP.  The run fails on a failed
test, a plan that does not match its results, a missing expected suite, a
guest that did not reach "@@init: done", or any kernel splat.
"""
import argparse
import re
import sys

VERSION = re.compile(r'^(\s*)K?TAP version \d+')
SUBTEST = re.compile(r'^(\s*)# Subtest: (.+)$')
PLAN = re.compile(r'^(\s*)1\.\.(\d+)')
RESULT = re.compile(r'^(\s*)(not ok|ok) (\d+)(?: -)? ?([^#]*?)\s*(?:#\s*(\S+)(.*))?$')
USER = re.compile(r'^@@([A-Za-z0-9_.-]+): ?(.*)$')
TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')
SPLATS = [
    r'\bBUG[: ]', r'WARNING:', r'\bOops\b', r'Call Trace:', r'KASAN',
    r'lockdep', r'possible (circular|recursive) locking', r'UBSAN',
    r'Kernel panic', r'kernel BUG', r'Unable to handle kernel',
    r'INFO: task .* blocked', r'refcount_t:', r'list_(add|del) corruption',
    r'sleeping function called from invalid context', r'ODEBUG:',
    r'suspected memory leak', r'Redzone', r'Poison overwritten',
    r'Object padding', r'hung_task', r'stack-protector', r'soft lockup',
    r'rcu_.*stall', r'inconsistent lock state', r'DEBUG_LOCKS_WARN_ON',
]
SPLAT = re.compile('|'.join(SPLATS))
# The debug kernel's boot banner that SPLATS would take for a report
BENIGN = re.compile(r'^rcu: \s*RCU lockdep checking is enabled\.$')


class Frame:
    def __init__(self, indent, name=None):
        self.indent = indent
        self.name = name
        self.plan = None
        self.results = []


class Result:
    def __init__(self, ok, name, directive, child):
        self.ok = ok
        self.name = name
        self.skip = directive is not None and directive.upper() == 'SKIP'
        self.child = child


class Parser:
    """Nested KTAP, one instance per source."""

    def __init__(self, source):
        self.source = source
        self.stack = []
        self.docs = []
        self.errors = []

    def _close_to(self, indent):
        child = None
        while self.stack and self.stack[-1].indent > indent:
            child = self.stack.pop()
            self._check_plan(child)
        return child

    def _check_plan(self, frame):
        # KUnit prints the built-in suites' "1..0" at boot; module suites
        # follow at the top level, each checked by its own plan.
        if self.source == 'kunit' and frame.indent == 0:
            return
        if frame.plan is not None and frame.plan != len(frame.results):
            self.errors.append('%s: %s planned %d tests, reported %d' %
                               (self.source, frame.name or 'document',
                                frame.plan, len(frame.results)))

    def feed(self, line):
        m = VERSION.match(line)
        if m:
            indent = len(m.group(1))
            if indent == 0:
                self.finish_doc()
            if not self.stack or indent > self.stack[-1].indent:
                self.stack.append(Frame(indent))
                if indent == 0:
                    self.docs.append(self.stack[0])
            return
        m = SUBTEST.match(line)
        if m:
            indent = len(m.group(1))
            top = self.stack[-1] if self.stack else None
            if top and top.indent == indent and top.name is None \
                    and not top.results:
                top.name = m.group(2).strip()
            elif top and indent > top.indent:
                self.stack.append(Frame(indent, m.group(2).strip()))
            return
        m = PLAN.match(line)
        if m:
            indent = len(m.group(1))
            if self.stack and self.stack[-1].indent == indent:
                self.stack[-1].plan = int(m.group(2))
            return
        m = RESULT.match(line)
        if m:
            indent = len(m.group(1))
            if not self.stack:
                return
            child = self._close_to(indent)
            if self.stack[-1].indent < indent:
                self.stack.append(Frame(indent))
            res = Result(m.group(2) == 'ok', m.group(4).strip(), m.group(5),
                         child)
            self.stack[-1].results.append(res)

    def finish_doc(self):
        if not self.stack:
            return
        self._close_to(0)
        root = self.stack.pop()
        self._check_plan(root)

    def finish(self):
        if len(self.stack) > 1:
            self.errors.append('%s: output ends inside "%s" (guest died?)' %
                               (self.source, self.stack[-1].name or '?'))
        self.finish_doc()


def leaves(results, prefix):
    for r in results:
        name = prefix + r.name
        if r.child is not None and r.child.results:
            yield from leaves(r.child.results, name + '.')
        else:
            yield name, r


def parse_log(path, show=None):
    """Parse one guest console log: (parsers, splats, done, shown)."""
    parsers = {}
    splats = []
    done = False
    shown = []
    with open(path, errors='replace') as f:
        for raw in f:
            line = raw.rstrip('\r\n').replace('\r', '')
            m = USER.match(line)
            if m:
                source, text = m.group(1), m.group(2)
                if source == 'init' and text.startswith('done'):
                    done = True
                if show and source == show:
                    shown.append(text)
                if source.endswith('_kernel'):
                    # a nested guest's kernel log, relayed by /init
                    text = TIMESTAMP.sub('', text)
                    if SPLAT.search(text) and not BENIGN.search(text):
                        splats.append(source + ': ' + text)
            else:
                source, text = 'kunit', TIMESTAMP.sub('', line)
                if SPLAT.search(text) and not BENIGN.search(text):
                    splats.append(text)
            p = parsers.setdefault(source, Parser(source))
            p.feed(text)
    for p in parsers.values():
        p.finish()
    return parsers, splats, done, shown


def read_expect(path):
    expect = []
    with open(path) as f:
        for line in f:
            words = line.split('#')[0].split()
            if words:
                expect.append(words)
    return expect


def judge(label, path, expect, counts):
    """Print one log's results; return its errors."""
    parsers, splats, done, _ = parse_log(path)
    tag = label + ': ' if label else ''
    errors = []
    found = {}
    for source, p in sorted(parsers.items()):
        errors.extend(p.errors)
        for doc in p.docs:
            if source == 'kunit' or source.endswith('_kernel'):
                groups = [(r.name, [r]) for r in doc.results]
            else:
                groups = [(source, doc.results)]
            for group, results in groups:
                entry = found.setdefault((source, group), [0, 0])
                for name, r in leaves(results, ''):
                    full = '%s%s.%s' % (tag, group if source == 'kunit'
                                        else source, name)
                    if r.skip:
                        counts['skipped'] += 1
                        entry[1] += 1
                        print('SKIP  %s' % full)
                    elif r.ok:
                        counts['passed'] += 1
                        entry[0] += 1
                        print('PASS  %s' % full)
                    else:
                        counts['failed'] += 1
                        print('FAIL  %s' % full)
    for words in expect:
        kind, name = words[0], words[1]
        only = [w[5:].split(',') for w in words[2:] if w.startswith('only=')]
        if only and label not in only[0]:
            continue
        key = (kind if kind == 'kunit' or kind.endswith('_kernel')
               else name, name)
        if key not in found:
            errors.append('expected %s suite "%s" did not run' % (kind, name))
        elif 'noskip' in words[2:] and found[key][1]:
            errors.append('%s "%s": %d tests skipped, none may be' %
                          (kind, name, found[key][1]))
    if not done:
        errors.append('guest did not reach the end of /init '
                      '(crash or timeout; see %s)' % path)
    for s in splats:
        errors.append('kernel splat: ' + s)
    return [tag + e for e in errors]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('logs', nargs='+', metavar='[LABEL=]LOG',
                    help='guest console logs, one per guest kernel')
    ap.add_argument('--expect', help='file: "kunit SUITE [noskip] '
                    '[only=LABEL,...]" or "user PROGRAM [noskip] '
                    '[only=LABEL,...]" per line; every log (only those '
                    'labelled so, with only=) must report every suite')
    ap.add_argument('--expect-for', action='append', default=[],
                    metavar='LABEL=FILE',
                    help='the expected suites of the log labelled LABEL, '
                    'instead of --expect')
    ap.add_argument('--show', help='print the lines of this program only')
    args = ap.parse_args()
    logs = [(a.split('=', 1) if '=' in a else ('', a)) for a in args.logs]

    if args.show:
        ok = True
        for _, path in logs:
            _, splats, done, shown = parse_log(path, args.show)
            print('\n'.join(shown))
            for s in splats:
                print('SPLAT: ' + s)
            if not done:
                print('guest did not finish (see %s)' % path)
            ok = ok and done and not splats and shown
        return 0 if ok else 1

    expect = read_expect(args.expect) if args.expect else []
    expect_for = dict((label, read_expect(path)) for label, path in
                      (a.split('=', 1) for a in args.expect_for))
    counts = {'passed': 0, 'failed': 0, 'skipped': 0}
    errors = []
    per_kernel = []
    for label, path in logs:
        before = dict(counts)
        errs = judge(label, path, expect_for.get(label, expect), counts)
        errors.extend(errs)
        per_kernel.append('[%s] %d tests passed, %d failed, %d skipped, '
                          '%d errors' % (label or path,
                                         counts['passed'] - before['passed'],
                                         counts['failed'] - before['failed'],
                                         counts['skipped'] - before['skipped'],
                                         len(errs)))
    for e in errors:
        print('ERROR %s' % e)
    for line in per_kernel:
        print(line)
    failed = counts['failed'] + len(errors)
    summary = '%d passed, %d failed' % (counts['passed'], failed)
    if counts['skipped']:
        summary += ', %d skipped' % counts['skipped']
    print(summary)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
