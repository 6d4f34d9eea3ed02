import json

# errors carry CPython's message, position, line and column
for text in ['{"a" 1}', '[1,]', '{"a": 1,}', '[1 2]', '"abc', '[1] x', '', '   ',
             '{"é": "ü", "x": [1, }', '"\\q"', '{1: 2}', 'nul', '\n\n  [1,\n 2,\n x]', '"é" x']:
    try:
        json.loads(text)
        print("parsed", repr(text))
    except json.JSONDecodeError as e:
        print(e.msg, e.pos, e.lineno, e.colno, "|", e)
    except ValueError as e:
        print("ValueError", e)

# key order is kept, at every size
small = json.loads('{"z": 1, "a": 2, "m": {"y": 1, "b": 2}}')
print(list(small), list(small["m"]))
obj = "{" + ", ".join('"k%d": %d' % (9 - j, j) for j in range(10)) + "}"
text = "[" + ", ".join([obj] * 1000) + "]"
big = json.loads(text)
print(len(text) > 65536, list(big[-1]), big[123]["k3"], json.dumps(big) == text)
print(json.loads('"\\u00e9\\ud83d\\ude00\\n\\t\\"\\\\\\/"'))
print(json.loads('[1.5e3, -0, -1.25, 10000000000, true, false, null]'))

# dumps: ensure_ascii, separators, default=, sort_keys, indent
print(json.dumps(["é", {"ü😀": [1, 2]}]))
print(json.dumps(["é", {"ü😀": [1, 2]}], ensure_ascii=False))
print(json.dumps({"b": [1, 2], "a": None}, separators=(",", ":"), sort_keys=True))
print(json.dumps({"b": 1, "a": {"d": 2, "c": 3}}, sort_keys=True, indent=2))


class P:
    def __init__(self, x):
        self.x = x


print(json.dumps([P(3), {"l": [P(4)]}], default=lambda o: {"x": o.x}))
try:
    json.dumps({"p": P(1)})
except TypeError as e:
    print("TypeError", e)
print(json.dumps([1.0, 2.5, 1e100, -0.0, True, None, "x"]))
print(json.dumps({1: "int key"}), json.dumps({2.5: "float key"}), json.dumps({True: "t"}), json.dumps({None: "n"}))
print(json.loads(json.dumps("tab\there \x01 ctl")))
print(json.loads('{"a": 1, "b": 2}', object_hook=lambda d: sorted(d.items())))
print(json.loads('[1.5, 2]', parse_float=lambda s: "F" + s, parse_int=lambda s: "I" + s))
print(json.loads('{"b": 1, "a": 2}', object_pairs_hook=lambda p: p))
print(json.loads(b'{"bytes": true}'))
