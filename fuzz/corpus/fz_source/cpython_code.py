import dis
def f(a): return a
for code in (bytes([255, 0] * 4), bytes([dis.opmap["LOAD_FAST"], 250, dis.opmap["RETURN_VALUE"], 0]),
             bytes([dis.opmap["POP_TOP"], 0] * 8 + [dis.opmap["RETURN_VALUE"], 0])):
    try:
        print(type(f)(f.__code__.replace(co_code=code), {})(1))
    except Exception as e:
        print(type(e).__name__)
