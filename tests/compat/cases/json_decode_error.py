import json

for text in ['{"a": 1}', '{bad json}', '[1, 2', '']:
    try:
        print(json.loads(text))
    except json.JSONDecodeError as e:
        print("invalid:", type(e).__name__)
