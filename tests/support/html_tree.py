"""A small HTML tree for tests: parse a page and select elements with simple CSS selectors
(tag, .class, [attr="value"], descendant combinator), read their text and attributes.

Enough to check what a page shows where (a table's subtotal row, an SVG's title) without a
third-party parser.
"""

import re
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
COMPOUND = re.compile(r"^(?P<tag>[a-zA-Z][\w-]*)?(?P<rest>(?:\.[\w-]+|\[[^\]]+\])*)$")
PART = re.compile(r"\.([\w-]+)|\[([\w-]+)(?:=\"?([^\"\]]*)\"?)?\]")


class Element:
    def __init__(self, tag: str, attrs: dict, parent=None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]

    def get(self, name: str, default=None):
        return self.attrs.get(name, default)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def get_text(self, separator: str = "", strip: bool = False) -> str:
        parts = []
        for child in self.children:
            text = child.get_text(separator, strip) if isinstance(child, Element) else child
            if strip:
                text = text.strip()
            if text:
                parts.append(text)
        return separator.join(parts)

    def find(self, tag: str):
        return next((e for e in self.iter() if e.tag == tag), None)

    def find_all(self, tags) -> list:
        tags = {tags} if isinstance(tags, str) else set(tags)
        return [e for e in self.iter() if e.tag in tags]

    def select(self, selector: str) -> list:
        steps = [_compound(s) for s in selector.split()]
        found = [e for e in self.iter() if _matches(e, steps[-1])]
        return [e for e in found if _ancestors_match(e, steps[:-1], self)]

    def select_one(self, selector: str):
        found = self.select(selector)
        return found[0] if found else None

    @property
    def caption(self):
        return self.find("caption")


def _compound(text: str):
    match = COMPOUND.match(text)
    assert match, f"unsupported selector {text!r}"
    classes, attrs = [], []
    for cls, name, value in PART.findall(match["rest"] or ""):
        if cls:
            classes.append(cls)
        else:
            attrs.append((name, value))
    return (match["tag"], classes, attrs)


def _matches(element: Element, step) -> bool:
    tag, classes, attrs = step
    if tag and element.tag != tag:
        return False
    if not set(classes) <= element.classes:
        return False
    return all(name in element.attrs and (not value or element.attrs[name] == value)
               for name, value in attrs)  # fmt: skip


def _ancestors_match(element: Element, steps, root) -> bool:
    node = element.parent
    for step in reversed(steps):
        while node is not None and node is not root and not _matches(node, step):
            node = node.parent
        if node is None or node is root:
            return False
        node = node.parent
    return True


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str | bytes) -> Element:
    builder = _Builder()
    builder.feed(html.decode() if isinstance(html, bytes) else html)
    builder.close()
    return builder.root
