width = 12
prec = 3
val = 2.718281828
print(f"{val:{width}.{prec}f}|")
print(f"{'x':{'>'}{width}}|")
print("{:{w}}|".format("ab", w=6))
