import re

text = "first line\nsecond line\nthird"
print(re.findall(r"^\w+", text, re.MULTILINE))
num = re.compile(r"""
    (\d+)    # integer part
    \.       # dot
    (\d+)    # fraction
""", re.VERBOSE)
print(num.search("pi is 3.14").groups())
