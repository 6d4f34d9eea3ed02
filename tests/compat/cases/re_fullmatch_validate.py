import re

def valid_email(s):
    return re.fullmatch(r"[\w.+-]+@[\w-]+\.[\w.]+", s) is not None

for e in ["a@b.com", "bad@", "x.y+z@mail.co.uk", "no spaces@x.com"]:
    print(e, valid_email(e))
