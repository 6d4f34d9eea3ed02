import js, jsffi
try:
    js.fetch
except AttributeError as e:
    print(e)
print(jsffi.create_proxy(print))
