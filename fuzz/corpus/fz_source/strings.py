s = 'héllo wörld' * 3
print(s.upper(), s.split(), s.encode(), f'{len(s):>10}', '%05.2f' % 3.14159)
