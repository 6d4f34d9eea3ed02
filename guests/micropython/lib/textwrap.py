# textwrap for airlock.


def _chunks(text, break_on_hyphens):
    words = text.split()
    if not break_on_hyphens:
        return words
    out = []
    for w in words:
        parts = []
        cur = ''
        for i, ch in enumerate(w):
            cur += ch
            if ch == '-' and 0 < i < len(w) - 1 and w[i - 1].isalpha() and w[i + 1].isalpha():
                parts.append(cur)
                cur = ''
        if cur:
            parts.append(cur)
        out.append(parts)
    return out


class TextWrapper:
    def __init__(self, width=70, initial_indent='', subsequent_indent='',
                 expand_tabs=True, replace_whitespace=True, fix_sentence_endings=False,
                 break_long_words=True, drop_whitespace=True, break_on_hyphens=True,
                 tabsize=8, *, max_lines=None, placeholder=' [...]'):
        self.width = width
        self.initial_indent = initial_indent
        self.subsequent_indent = subsequent_indent
        self.break_long_words = break_long_words
        self.break_on_hyphens = break_on_hyphens
        self.max_lines = max_lines
        self.placeholder = placeholder
        self.fix_sentence_endings = fix_sentence_endings

    def wrap(self, text):
        if self.width <= 0:
            raise ValueError('invalid width %r (must be > 0)' % self.width)
        words = _chunks(text, self.break_on_hyphens)
        # flatten hyphen parts: pieces of one word can be split across lines
        pieces = []   # (text, starts_new_word)
        for w in words:
            if isinstance(w, list):
                for k, p in enumerate(w):
                    pieces.append((p, k == 0))
            else:
                pieces.append((w, True))
        lines = []
        cur = []
        curlen = 0
        indent = self.initial_indent
        i = 0
        while i < len(pieces):
            p, new = pieces[i]
            width = self.width - len(indent)
            add = len(p) + (1 if (cur and new) else 0)
            if curlen + add <= width:
                if cur and new:
                    cur.append(' ')
                cur.append(p)
                curlen += add
                i += 1
                continue
            if not cur:
                if self.break_long_words and width > 0:
                    cur.append(p[:width])
                    pieces[i] = (p[width:], False)
                    curlen = width
                else:
                    cur.append(p)
                    i += 1
                    curlen = len(p)
            elif self.break_long_words and new and len(p) > width and curlen + 1 < width:
                # CPython fills the remaining space with the start of a long word
                room = width - curlen - 1
                cur.append(' ')
                cur.append(p[:room])
                pieces[i] = (p[room:], False)
                curlen = width
            lines.append(indent + ''.join(cur))
            cur = []
            curlen = 0
            indent = self.subsequent_indent
            if self.max_lines is not None and len(lines) >= self.max_lines and i < len(pieces):
                break
        if cur:
            lines.append(indent + ''.join(cur))
        if self.max_lines is not None and len(lines) > self.max_lines or \
                (self.max_lines is not None and len(lines) == self.max_lines and i < len(pieces)):
            lines = lines[:self.max_lines]
            last = lines[-1]
            ph = self.placeholder
            while last and len(last) + len(ph) > self.width:
                k = last.rfind(' ')
                if k <= len(self.subsequent_indent if len(lines) > 1 else self.initial_indent):
                    last = ''
                    break
                last = last[:k]
            if last.strip():
                lines[-1] = last.rstrip() + ph
            else:
                lines = lines[:-1]
                if lines:
                    lines[-1] = lines[-1] + ph
                else:
                    lines = [ph.lstrip()]
        return lines

    def fill(self, text):
        return '\n'.join(self.wrap(text))


def wrap(text, width=70, **kw):
    return TextWrapper(width=width, **kw).wrap(text)


def fill(text, width=70, **kw):
    return TextWrapper(width=width, **kw).fill(text)


def shorten(text, width, **kw):
    kw.setdefault('placeholder', ' [...]')
    w = TextWrapper(width=width, max_lines=1, **kw)
    return w.fill(' '.join(text.strip().split()))


def dedent(text):
    lines = text.split('\n')
    margin = None
    for l in lines:
        s = l.lstrip(' \t')
        if not s:
            continue
        ind = l[:len(l) - len(s)]
        if margin is None:
            margin = ind
        else:
            k = 0
            while k < len(margin) and k < len(ind) and margin[k] == ind[k]:
                k += 1
            margin = margin[:k]
    out = []
    for l in lines:
        if not l.strip(' \t'):
            out.append('')
        elif margin:
            out.append(l[len(margin):])
        else:
            out.append(l)
    return '\n'.join(out)


def indent(text, prefix, predicate=None):
    if predicate is None:
        predicate = lambda line: line.strip()
    out = []
    for line in text.splitlines(True):
        out.append(prefix + line if predicate(line) else line)
    return ''.join(out)
