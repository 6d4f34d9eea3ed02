from typing import Dict

CONFIG = """
# server settings
[server]
host = 0.0.0.0
port = 8080

[db]
url = sqlite:///app.db
pool = 5
"""

def parse(text: str) -> Dict[str, Dict[str, str]]:
    sections: Dict[str, Dict[str, str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections[current] = {}
        else:
            key, _, value = line.partition("=")
            sections[current][key.strip()] = value.strip()
    return sections

cfg = parse(CONFIG)
print(sorted(cfg))
print(int(cfg["server"]["port"]) + 1, cfg["db"]["url"])
