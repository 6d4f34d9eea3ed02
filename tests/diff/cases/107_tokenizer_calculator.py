def tokenize(expr):
    tokens, i = [], 0
    while i < len(expr):
        ch = expr[i]
        if ch.isspace():
            i += 1
        elif ch.isdigit() or ch == ".":
            j = i
            while j < len(expr) and (expr[j].isdigit() or expr[j] == "."):
                j += 1
            tokens.append(float(expr[i:j]) if "." in expr[i:j] else int(expr[i:j]))
            i = j
        elif ch in "+-*/()":
            tokens.append(ch)
            i += 1
        else:
            raise SyntaxError("unexpected character %r" % ch)
    return tokens
def parse(tokens):
    pos = [0]
    def peek():
        return tokens[pos[0]] if pos[0] < len(tokens) else None
    def take():
        pos[0] += 1
        return tokens[pos[0] - 1]
    def expr():
        v = term()
        while peek() in ("+", "-"):
            v = v + term() if take() == "+" else v - term()
        return v
    def term():
        v = factor()
        while peek() in ("*", "/"):
            v = v * factor() if take() == "*" else v / factor()
        return v
    def factor():
        t = take()
        if t == "(":
            v = expr()
            take()
            return v
        if t == "-":
            return -factor()
        return t
    return expr()
for e in ["1 + 2 * 3", "(1 + 2) * 3", "10 / 4 - 1", "-(2.5 * 4) + 100", "2 * (3 + (4 - 1)) * 2"]:
    print(e, "=", parse(tokenize(e)))
print(parse(tokenize("7 $ 3")))
