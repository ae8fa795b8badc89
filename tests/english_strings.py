"""Finds English left in a page of the Chinese back office.

`english_in_html(html)` reads what a person sees in rendered HTML: text nodes outside <script>, <style> and
<textarea> (whose content is data being edited), and the attributes shown on screen or read aloud
(placeholder, title, aria-label, alt, the value of a button input). `english_in_text(text)` reads visible text
as it is; `english_on_page(page)` reads what a Playwright page shows by the same rules as the HTML reader (a
plain `page.inner_text("body")` would include the icons' names). All answer the English phrases found, in order.

Text in <kbd> and unfold's icons (a font's ligatures: "search" draws a magnifier) is not read. What is not
English prose is left alone: URLs, e-mail addresses, words with digits (usernames, order ids),
single letters, the abbreviations of ALLOWED_WORDS, and every word of the data values a test passes in
(`data=["iPhone 15", "Apple"]`: SKU names, brand names, usernames that the database holds).
"""

import re
from html.parser import HTMLParser

# Abbreviations count in any case: import_export lists its formats as csv, xlsx.
ABBREVIATIONS = frozenset(
    {"SKU", "SPU", "ID", "CSV", "XLSX", "XLS", "TSV", "JSON", "YAML", "HTML", "ODS", "JWT", "QQ", "URL", "IP"}
)
# Names (EMS: the post's express carrier), and keys as Django's own Chinese catalog writes them:
# 按住 Control 键，或者 Mac 上的 Command 键.
ALLOWED_WORDS = frozenset({"Redis", "EMS", "Control", "Command", "Mac"})
SHOWN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
BUTTON_INPUT_TYPES = ("submit", "button", "reset")
# <kbd> holds key names (esc, Ctrl), written as on the keys; unfold's icons are ligatures of the icon font
# ("search" draws a magnifier), so their text is never read.
UNREAD_ELEMENTS = ("script", "style", "textarea", "kbd")
ICON_CLASS = "material-symbols-outlined"
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)

# URLs, e-mail addresses, words with digits, masked values (a password hash's salt: kA******).
NOT_PROSE = re.compile(r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\S*[\d*]\S*")
LATIN_PHRASE = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ \t]+[A-Za-z][A-Za-z'’-]*)*")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def data_words(values):
    return {word for value in values for word in WORD.findall(str(value))}


def english_in_text(text, data=()):
    allowed = ALLOWED_WORDS | data_words(data)
    found = []
    for line in NOT_PROSE.sub(" ", text).splitlines():
        for phrase in LATIN_PHRASE.findall(line):
            words = [word.strip("'’-") for word in phrase.split()]
            if any(len(word) > 1 and word not in allowed and word.upper() not in ABBREVIATIONS for word in words):
                found.append(" ".join(phrase.split()))
    return found


class _ShownText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces = []
        # (tag, unread) of the open elements; an element inside an unread one is unread too.
        self.open_elements = []

    def unread(self):
        return bool(self.open_elements) and self.open_elements[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        unread = self.unread() or tag in UNREAD_ELEMENTS or ICON_CLASS in (attrs.get("class") or "")
        if not unread:
            self._read_attributes(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.open_elements.append((tag, unread))

    def handle_startendtag(self, tag, attrs):
        if not self.unread():
            self._read_attributes(tag, dict(attrs))

    def handle_endtag(self, tag):
        # Browsers close what a missing end tag left open; so does this.
        for depth in range(len(self.open_elements) - 1, -1, -1):
            if self.open_elements[depth][0] == tag:
                del self.open_elements[depth:]
                break

    def handle_data(self, data):
        if not self.unread():
            self.pieces.append(data)

    def _read_attributes(self, tag, attrs):
        shown = [attrs.get(name) for name in SHOWN_ATTRIBUTES]
        if tag == "input" and (attrs.get("type") or "").lower() in BUTTON_INPUT_TYPES:
            shown.append(attrs.get("value"))
        self.pieces.extend(value for value in shown if value)


def shown_text(html):
    """The text of `html` a person sees or hears, one piece a line."""
    parser = _ShownText()
    parser.feed(html)
    parser.close()
    return "\n".join(piece.strip() for piece in parser.pieces if piece.strip())


def english_in_html(html, data=()):
    return english_in_text(shown_text(html), data=data)


# In the browser: the text nodes and shown attributes of the elements drawn on screen, by the rules above.
SHOWN_TEXT_SCRIPT = """
() => {
    const unread = "script, style, textarea, kbd, .material-symbols-outlined";
    const shown = (element) => element && !element.closest(unread) && element.checkVisibility();
    const pieces = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        if (shown(walker.currentNode.parentElement)) pieces.push(walker.currentNode.data);
    }
    for (const element of document.body.querySelectorAll("*")) {
        if (!shown(element)) continue;
        for (const name of ["placeholder", "title", "aria-label", "alt"]) {
            if (element.getAttribute(name)) pieces.push(element.getAttribute(name));
        }
        if (element.matches("input[type=submit], input[type=button], input[type=reset]")) pieces.push(element.value);
    }
    return pieces.map((piece) => piece.trim()).filter(Boolean).join("\\n");
}
"""


def english_on_page(page, data=()):
    return english_in_text(page.evaluate(SHOWN_TEXT_SCRIPT), data=data)
