"""Text from fetched documents: HTML without markup, charsets, PDF, and what is refused."""

from __future__ import annotations

import pytest

from services.chat.extract import UnsupportedDocument, media_type, text_of


def test_html_keeps_text_and_blocks_and_drops_scripts_styles_and_head() -> None:
    html = (
        "<html><head><title>t</title><style>b{}</style></head><body><script>x()</script>"
        "<h1>Rules</h1><p>Tip a barrel:&nbsp;5&nbsp;s &amp; more.</p><ul><li>one</li><li>two</li></ul></body></html>"
    )
    assert text_of(html.encode(), "text/html") == "Rules\n\nTip a barrel:\xa05\xa0s & more.\n\none\n\ntwo"


def test_plain_text_uses_the_declared_charset_and_markdown_is_kept() -> None:
    assert text_of("Café".encode("latin-1"), "text/plain; charset=ISO-8859-1") == "Café"
    assert text_of(b"# Title\n\nBody", "text/markdown") == "# Title\n\nBody"
    assert text_of("naïve".encode(), "text/plain; charset=unknown-charset") == "naïve"
    assert media_type('text/html; Charset="utf-8"') == ("text/html", "utf-8")


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"\x89PNG", "image/png"),
        (b"", "text/plain"),
        (b"<script>x</script>", "text/html"),
        (b"%PDF-1.4 junk", "application/pdf"),
        (b"a", ""),
    ],
)
def test_no_text_or_another_type_is_refused(body: bytes, kind: str) -> None:
    with pytest.raises(UnsupportedDocument):
        text_of(body, kind)
