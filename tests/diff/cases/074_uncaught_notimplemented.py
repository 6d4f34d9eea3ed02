class Exporter:
    def export(self, data):
        raise NotImplementedError("subclass must implement export")
class JsonExporter(Exporter):
    def export(self, data):
        return "{" + ",".join('"%s":%d' % kv for kv in sorted(data.items())) + "}"
print(JsonExporter().export({"b": 2, "a": 1}))
Exporter().export({})
