def parse_int(s):
    try:
        v = int(s)
    except ValueError:
        print("bad:", repr(s))
        return None
    else:
        print("good:", v)
        return v
    finally:
        print("checked", repr(s))
results = [parse_int(x) for x in ["42", "x7", "-3", ""]]
print(results)
