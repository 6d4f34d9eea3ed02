import hashlib, base64

h = hashlib.sha256(b"hello").hexdigest()
print(h[:16])
print(hashlib.md5(b"abc").hexdigest())
print(base64.b64encode(b"airlock").decode())
print(base64.b64decode("YWlybG9jaw==").decode())
print(base64.urlsafe_b64encode(b"\xff\xfe").decode())
