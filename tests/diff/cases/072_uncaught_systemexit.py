import sys
def main(argv):
    if len(argv) < 3:
        print("usage: tool SRC DST")
        sys.exit(2)
    print("copying")
main(["tool"])
print("not reached")
