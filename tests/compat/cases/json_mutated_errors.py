# json.loads on 600 documents mutated from valid ones (a fixed LCG, so both
# interpreters see the same texts): the same values, or the same error
# message and position, as CPython.
import json

SEEDS = ['{"a": [1, 2.5, {"b": null}], "c": "x\\u00e9y", "d": -0.5e3}',
         '[true, false, null, "s\\n", {"k": {"k2": []}}, 12345678901234567890]',
         '{"name": "Ada", "tags": ["x", "y"], "n": {"m": [1, {"p": "q"}]}}',
         '  [ 1 ,\n 2 ,\t{"z" : "\\ud83d\\ude00"} ]  ']
ALPHABET = '{}[]:,"\\ 0123456789.eE+-tfnaulrsx\n\tu'
state = [12345]


def rnd(n):
    state[0] = (state[0] * 1103515245 + 12345) % 2147483648
    return (state[0] >> 8) % n


def mutate(s):
    s = list(s)
    for _ in range(1 + rnd(3)):
        i = rnd(len(s) + 1)
        op = rnd(3)
        c = ALPHABET[rnd(len(ALPHABET))]
        if op == 0 and s:
            del s[min(i, len(s) - 1)]
        elif op == 1:
            s.insert(i, c)
        elif s:
            s[min(i, len(s) - 1)] = c
    return ''.join(s)


parsed = 0
for n in range(600):
    doc = mutate(SEEDS[n % len(SEEDS)])
    try:
        v = json.loads(doc)
        parsed += 1
        print(n, 'ok', json.dumps(v, sort_keys=True))
    except json.JSONDecodeError as e:
        print(n, e.msg, e.pos, e.lineno, e.colno)
print('parsed', parsed)
