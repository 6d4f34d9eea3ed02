# collections.abc for airlock: names for isinstance checks on common types.
class _ABC:
    _types = ()

    def __init__(self):
        raise TypeError("Can't instantiate abstract class")


def _abc(name, *types):
    return type(name, (object,), {'_types': types})


Iterable = _abc('Iterable')
Iterator = _abc('Iterator')
Generator = _abc('Generator')
Sequence = _abc('Sequence')
MutableSequence = _abc('MutableSequence')
Mapping = _abc('Mapping')
MutableMapping = _abc('MutableMapping')
Set = _abc('Set')
MutableSet = _abc('MutableSet')
Callable = _abc('Callable')
Hashable = _abc('Hashable')
Sized = _abc('Sized')
Container = _abc('Container')
Collection = _abc('Collection')
Reversible = _abc('Reversible')
Awaitable = _abc('Awaitable')
Coroutine = _abc('Coroutine')
AsyncIterable = _abc('AsyncIterable')
AsyncIterator = _abc('AsyncIterator')
AsyncGenerator = _abc('AsyncGenerator')
KeysView = _abc('KeysView')
ValuesView = _abc('ValuesView')
ItemsView = _abc('ItemsView')
MappingView = _abc('MappingView')
ByteString = _abc('ByteString')
