# json.loads: CPython's errors (msg, pos, lineno, colno) on invalid documents,
# and key order, repeated keys and nesting on valid ones
import json

BAD = ['', '   ', '[', '[1,', '[1,]', '[1 2]', '{', '{"a"', '{"a":', '{"a":1', '{"a":1,}',
       '{"a" 1}', '{1: 2}', "{'a': 1}", '[1]x', '[1] [2]', '01', '-', '[-]', '1.', '1e', '1.e5',
       '.5', '+1', 'tru', 'nul', '"abc', '"a\\', '"\\x"', '"\\u12"', '"\\u12zz"', '"a\nb"',
       '"tab\there"', '[\n  1,\n  2\n  3]', '{\n "k": [1, 2,\n  {"x": }]}', '\ufeff[1]',
       '["é", "ü" x]', '{"é": 1, "a" 2}', '[[[[[[', ']', '}', '[1,,2]', '{"a":1 "b":2}',
       'true false', '[true, False]', '"\\ud83d\\ude00" x', '123abc', '[1.5e+]', '-01']
for n, doc in enumerate(BAD):
    try:
        json.loads(doc)
        print(n, 'parsed')
    except json.JSONDecodeError as e:
        print(n, e.msg, e.pos, e.lineno, e.colno)
        print(' ', e)

GOOD = ['{"b": 1, "a": 2, "c": {"z": [1, {"y": null, "x": true}], "w": false}}',
        '{"k": 1, "j": 2, "k": 3}', '[{}, [], [[]], [{}], {"a": []}]',
        '{"s": "\\u00e9\\n\\t\\"\\\\\\/", "e": "\\ud83d\\ude00", "u": "é"}',
        ' [1, -2, 3.5, -0.25e3, 1E2, 12345678901234567890, 0, -0] ',
        '"just a string"', '42', 'null', 'true', '[null, false]',
        '{"z": 1, "y": {"x": {"w": {"v": [1, 2, {"u": 0}]}}}}']
for doc in GOOD:
    v = json.loads(doc)
    print(json.dumps(v), v == json.loads(json.dumps(v)))
big = '[%s]' % ', '.join(['{"id": %d, "name": "n%d", "tags": ["a", %d], "sub": {"q": %d, "p": %d}}'
                          % (i, i, i, i, -i) for i in range(300)])
back = json.loads(big)
print(len(back), list(back[7]), list(back[299]["sub"]), json.dumps(back) == big)
d = json.loads('{"b": 1, "a": 2}')
d["c"] = 3
del d["b"]
print(d, list(d.items()))
