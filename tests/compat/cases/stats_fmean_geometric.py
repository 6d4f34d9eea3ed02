import statistics as st

print(st.fmean([1, 2, 3, 4]))
print(round(st.geometric_mean([1, 10, 100]), 6))
print(round(st.harmonic_mean([40, 60]), 6))
print(st.multimode("aabbbcccc"))
print(st.mean([1, 2, 3, 4]))
