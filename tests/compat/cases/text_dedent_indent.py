import textwrap

code = """
    def f():
        return 1
"""
print(textwrap.dedent(code).strip())
print(textwrap.indent("line1\nline2", "> "))
print(textwrap.shorten("Hello   world, this is a long sentence", width=20))
