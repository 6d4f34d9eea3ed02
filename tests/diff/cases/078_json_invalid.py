import json
for text in ['{"a": 1}', '[1, 2,]', '{"a" 1}', 'nul', '"ok"']:
    try:
        print("parsed", json.loads(text))
    except ValueError as e:
        print("invalid:", text)
json.loads("{broken")
