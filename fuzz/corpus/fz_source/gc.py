import gc
l = [bytearray(100) for i in range(100)]
del l
gc.collect()
print(gc.mem_free() > 0)
