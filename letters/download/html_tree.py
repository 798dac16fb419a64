"""A tiny tolerant HTML tree built on the standard library, enough to read old ASP result tables.

Old pages leave `<td>`/`<tr>` unclosed and nest layout tables; this closes them implicitly the way
browsers do, so the results parser can walk tables without a third-party HTML library.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "wbr"}
)
# Opening one of these closes an open sibling of the listed kinds, stopping at the given boundary.
IMPLICIT_CLOSE: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "td": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "th": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "tr": (frozenset({"tr", "td", "th"}), frozenset({"table", "tbody", "thead", "tfoot"})),
    "p": (frozenset({"p"}), frozenset({"div", "td", "th", "table", "body", "form"})),
    "option": (frozenset({"option"}), frozenset({"select"})),
}


@dataclass
class Node:
    """An element; text is kept as string children so `text()` reads in document order."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = field(default=None, repr=False)

    def iter(self, tag: str | None = None) -> Iterator[Node]:
        """Descendants in document order (self excluded), optionally only one tag."""
        for child in self.children:
            if isinstance(child, Node):
                if tag is None or child.tag == tag:
                    yield child
                yield from child.iter(tag)

    def text(self) -> str:
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else " " + child.text() + " ")
        return " ".join("".join(parts).split())

    def has_class(self, name: str) -> bool:
        return name.lower() in self.attrs.get("class", "").lower().split()


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack: list[Node] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in IMPLICIT_CLOSE:
            closes, boundary = IMPLICIT_CLOSE[tag]
            outermost = None
            for i in range(len(self.stack) - 1, 0, -1):
                if self.stack[i].tag in boundary:
                    break
                if self.stack[i].tag in closes:
                    outermost = i
            if outermost is not None:
                del self.stack[outermost:]
        node = Node(tag, {k.lower(): (v or "") for k, v in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return
            if self.stack[i].tag == "table" and tag != "table":
                return  # a stray end tag never closes past a table boundary

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(markup: str) -> Node:
    """Parse markup into a `Node` tree rooted at '#document'."""
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    return builder.root
