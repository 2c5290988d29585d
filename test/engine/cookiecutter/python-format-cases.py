"""Writes python-format-cases.json: Python's own output for str.format, format() and the % operator.

    python3 test/engine/cookiecutter/python-format-cases.py     # any Python 3.11+

Each case holds what Python printed or the message of the error it raised; python-format.test.ts
checks src/engine/cookiecutter/python-format.ts and python-percent.ts against every one. Values are
JSON (a dict is an object, a tuple of % arguments an array); floats with no fraction are left out,
since JavaScript reads 3.0 as the integer 3.
"""
import json, os

FORMAT = [
    ('{}-{}', ['My Project', 7], {}), ('{0}{name}', [7], {'name': 'My Project'}), ('{1}{0}{1}', ['a', 'b'], {}),
    ('{:>10}', ['abc'], {}), ('{:<6}|', ['ab'], {}), ('{:^9}', ['ab'], {}), ('{:*<6}', ['ab'], {}), ('{:->8}', ['ab'], {}), ('{:^4}', ['x'], {}),
    ('{:03d}', [7], {}), ('{:03}', [-7], {}), ('{:+d}', [5], {}), ('{: d}', [5], {}), ('{:=+6}', [-3], {}), ('{:05}', ['ab'], {}), ('{:<05}', [5], {}),
    ('{!r}', ['My Project'], {}), ('{!r}', ["it's"], {}), ('{!s}', [['a', 'b']], {}), ('{!a}', ['café'], {}), ('{!r:>8}', ['ab'], {}),
    ('{:,}', [1234567], {}), ('{:_}', [1234567], {}), ('{:_x}', [123456789], {}), ('{:08,}', [1234], {}), ('{:010,}', [1234], {}), ('{:,}', [-1234.5], {}),
    ('{:.2f}', [3.14159], {}), ('{:.0f}', [0.5], {}), ('{:.0f}', [1.5], {}), ('{:.0f}', [2.5], {}), ('{:.2f}', [0.125], {}), ('{:.2f}', [0.375], {}),
    ('{:.1f}', [0.05], {}), ('{:.3f}', [2.0005], {}), ('{:f}', [1e20], {}), ('{:.2f}', [-0.001], {}), ('{:z.2f}', [-0.001], {}), ('{:08.3f}', [-3.14159], {}),
    ('{:e}', [3.14159], {}), ('{:.2e}', [123456], {}), ('{:E}', [0.000123], {}), ('{:10.3e}', [1234.5], {}), ('{:.0e}', [5], {}), ('{:#.0e}', [5], {}),
    ('{:g}', [1e20], {}), ('{:g}', [0.0001], {}), ('{:g}', [0.00001], {}), ('{:g}', [123456789], {}), ('{:.3g}', [3.14159], {}), ('{:#g}', [1.5], {}), ('{:G}', [1e-10], {}),
    ('{:%}', [0.25], {}), ('{:.1%}', [0.1234], {}), ('{:.2%}', [3], {}),
    ('{}', [0.1], {}), ('{}', [1.5], {}), ('{}', [0.30000000000000004], {}), ('{}', [1e-05], {}), ('{}', [2.5e-5], {}), ('{}', [1.2345678e-7], {}), ('{:.3}', [3.14159], {}), ('{:.3}', [1234.5], {}),
    ('{:x}', [255], {}), ('{:#x}', [255], {}), ('{:X}', [255], {}), ('{:#010x}', [255], {}), ('{:b}', [5], {}), ('{:#b}', [5], {}), ('{:o}', [8], {}), ('{:#o}', [8], {}), ('{:c}', [65], {}), ('{:n}', [1234], {}), ('{:n}', [1.5], {}),
    ('{:x}', [-255], {}), ('{:d}', [True], {}), ('{}', [True], {}), ('{:>5}', [True], {}), ('{}', [None], {}), ('{}', [{'a': 1, 'b': 'two'}], {}), ('{}', [[1, 'x', None]], {}),
    ('{0[a]}', [{'a': 1}], {}), ('{0[1]}', [['x', 'y']], {}), ('{0[0]}', ['hey'], {}), ('{d[k]}', [], {'d': {'k': 'v'}}), ('{0.real}', [3], {}),
    ('{{}} {}', ['x'], {}), ('{{{}}}', ['x'], {}), ('a}}b', [], {}), ('{:>{w}}', ['a'], {'w': 4}), ('{:{fill}^{w}}', ['a'], {'fill': '*', 'w': 5}), ('{:.{p}f}', [3.14159], {'p': 2}),
    ('{:.3}', ['abcdef'], {}), ('{:>6.2}', ['abcdef'], {}), ('{}', [''], {}), ('{}{}', ['ü', 'ß'], {}), ('{:s}', ['x'], {}),
    # errors, with Python's messages
    ('{:d}', ['a'], {}), ('{:q}', ['a'], {}), ('{:q}', [1], {}), ('{:d}', [3.5], {}), ('{:+}', ['a'], {}), ('{:#}', ['a'], {}), ('{:=5}', ['a'], {}), ('{:,}', ['a'], {}),
    ('{:.2}', [3], {}), ('{:+c}', [3], {}), ('{:,b}', [3], {}), ('{:,n}', [3], {}), ('{:>5}', [None], {}), ('{:x}', [[1]], {}), ('{:5}', [{}], {}),
    ('{0}{}', [1, 2], {}), ('{}{0}', [1, 2], {}), ('{', [], {}), ('}', [], {}), ('x{y', [], {}), ('{2}', [1], {}), ('{a}', [], {}), ('{!x}', [1], {}), ('{0!}', [1], {}),
    ('{0[x]}', [{}], {}), ('{0[1]}', [[1]], {}), ('{:{}}', ['a'], {}),
]

PERCENT = [
    ('%s-%s', ['My Project', 7]), ('%d', 7), ('%d', 3.7), ('%d', -3.7), ('%i', True), ('%s', True), ('%s', None), ('%(name)s is %(n)d', {'name': 'x', 'n': 3}),
    ('%05.2f', 3.14159), ('%.2f', 0.125), ('%.0f', 2.5), ('%f', 1.5), ('%e', 1234.5), ('%.3E', 0.00012), ('%g', 1e-5), ('%g', 123456), ('%G', 1e20), ('%#g', 2.5), ('%.3g', 3.14159),
    ('%5s|%-5s|', ('a', 'b')), ('%x %o %X', (255, 8, 255)), ('%#x %#o', (255, 8)), ('%+d % d', (5, 5)), ('%05d', -42), ('%-5d|', 42), ('%.3d', 7), ('%5.3d|', -7), ('%#.3x %#.3o %#.3X', (5, 8, 255)), ('%05.3d', 7), ('%05.3d', -7), ('%-5.3d|', 7), ('%#08.3x', 5),
    ('%%', ()), ('100%%', ()), ('%s%%', 5), ('%r', 'My Project'), ('%a', 'café'), ('%.3s', 'My Project'), ('%c', 65), ('%c', 'z'), ('%*d', (5, 3)), ('%-*d|', (4, 3)), ('%.*f', (2, 1.2345)),
    ('%s', [['a', 'b']]), ('%s', {'a': 1}), ('%s and %s', (['a'], {'b': None})), ('%ld', 5), ('%s', ''), ('%(a)s %(a)r', {'a': 'x'}),
    # errors
    ('%d', 'x'), ('%s %s', [1]), ('%s', (1, 2)), ('%(a)s', [1]), ('%q', 1), ('%5q', 1), ('%', ()), ('abc %', 1), ('%x', 1.5), ('%c', 'ab'), ('%f', 'x'), ('%(a)s', {}), ('%*d', [5]), ('%c', 1114112),
]


def outcome(run):
    try:
        return {'expected': run()}
    except (KeyError,) as error:
        return {'error': 'KeyError: ' + str(error)}
    except Exception as error:  # noqa: BLE001 - every error's message is the expected value
        return {'error': str(error)}


def percent_values(values):
    return tuple(values) if isinstance(values, (list, tuple)) else values


cases = []
for template, args, kwargs in FORMAT:
    cases.append({'kind': 'format', 'template': template, 'args': args, 'kwargs': kwargs, **outcome(lambda: template.format(*args, **kwargs))})
for template, values in PERCENT:
    # A list stands for a tuple of % arguments; a one-item list holding a list is a tuple of one list.
    python_values = percent_values(values)
    cases.append({'kind': 'percent', 'template': template, 'values': list(values) if isinstance(values, tuple) else values,
                  **outcome(lambda: template % python_values)})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'python-format-cases.json'), 'w', encoding='utf-8') as out:
    json.dump(cases, out, indent=1, ensure_ascii=False)
    out.write('\n')
print(len(cases), 'cases')
