import re
m = re.match(r'(\w+)@(\w+)\.com', 'me@example.com')
print(m.group(1), re.sub('a+', '-', 'caaat'))
