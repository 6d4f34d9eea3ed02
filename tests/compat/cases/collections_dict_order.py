scores = {}
scores["zed"] = 1
scores["amy"] = 2
scores["kim"] = 3
scores["bob"] = 4
print(scores)
print(list(scores.keys()))
for k, v in scores.items():
    print(k, v)
