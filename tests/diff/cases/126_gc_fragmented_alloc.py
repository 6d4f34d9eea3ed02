# Objects of every size allocated after collections left 1-block holes all
# over the heap (airlock's gc_alloc starts multi-block searches where the
# last one ended, guests/patch/gcalloc.c); every object must stay intact.
import gc

keep = []
for rnd in range(3):
    junk = [(i,) for i in range(6000)]
    keep.append(junk[1::2])
    del junk
    gc.collect()
    objs = []
    for i in range(3000):
        k = i % 7
        if k == 0:
            objs.append([i] * (i % 40))
        elif k == 1:
            objs.append({"a": i, "b": str(i), "c": [i, i]})
        elif k == 2:
            objs.append("x%d" % i * (i % 9))
        elif k == 3:
            objs.append((i, -i, i * 2))
        elif k == 4:
            objs.append(bytearray(i % 100))
        elif k == 5:
            objs.append({j: j * i for j in range(i % 20)})
        else:
            objs.append(list(range(i % 30)))
    s = 0
    for o in objs:
        s = (s * 31 + len(o)) % 1000003
    print(rnd, len(objs), s)
    keep.append(objs[::3])
    del objs

print(sum(len(k) for k in keep))
print(all(t == (2 * j + 1,) for j, t in enumerate(keep[0])))
d = keep[2][1]
print(sorted(d.items()) if isinstance(d, dict) else d)
print([sum(x) for x in keep[5][:10] if isinstance(x, list)])
