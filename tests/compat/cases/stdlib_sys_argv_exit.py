import sys

def main(argv):
    if len(argv) > 5:
        return 1
    print("args ok")
    return 0

code = main(sys.argv)
print("code", code)
sys.exit(code)
