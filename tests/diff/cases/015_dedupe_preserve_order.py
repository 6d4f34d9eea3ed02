events = ["login", "view", "view", "click", "login", "logout", "click", "view"]
seen = set()
unique = []
for e in events:
    if e not in seen:
        seen.add(e)
        unique.append(e)
print(unique)
print([e for i, e in enumerate(events) if e not in events[:i]] == unique)
