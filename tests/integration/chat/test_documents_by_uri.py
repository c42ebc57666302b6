"""Documents ingested from a uri, fetched from a local HTTP server: text, Markdown, HTML and PDF to READY, and
each failure (missing, unsupported type, too large, unreachable, an address inside the network) to FAILED with its
code and reason. The server allows 127.0.0.1/32 (the site) by configuration; the rest of loopback stays refused."""

from __future__ import annotations

import asyncio
import threading
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
import pytest
from google.rpc import error_details_pb2
from marquee.chat.v1 import chat_pb2 as pb

from tests.integration.chat.conftest import Metadata, Stub, expect, fails

HTML = (
    "<html><head><title>ignored</title><style>p {color: red}</style><script>var secret = 1;</script></head>"
    "<body><h1>Trailer loading</h1><p>Practise on the ground first &amp; reward each step.</p>"
    "<p>Never tie the horse before the butt bar is closed.</p></body></html>"
)
MARKDOWN = "# Entry refunds\n\nEntry fees are refunded in full when a rodeo is cancelled by the organiser."


def pdf_bytes() -> bytes:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        from weasyprint import HTML as Render

    rendered: bytes = Render(string="<p>Goat tying: the tie must hold six seconds — después del paso atrás.</p>").write_pdf()
    return rendered


class Site:
    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, str, bytes]] = {}
        self.streamed: dict[str, int] = {}  # path -> bytes sent without a Content-Length
        self.redirects: dict[str, str] = {}  # path -> Location of a 302
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                del format, args

            def do_GET(self) -> None:
                if self.path in site.redirects:
                    self.send_response(302)
                    self.send_header("Location", site.redirects[self.path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path in site.streamed:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()  # HTTP/1.0: the body ends when the connection closes
                    block = b"x" * 65536
                    try:
                        for _ in range(site.streamed[self.path] // len(block)):
                            self.wfile.write(block)
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # the client stopped reading at its limit
                    return
                status, kind, body = site.pages.get(self.path, (404, "text/plain", b"not here"))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    served = Site()
    served.pages.update(
        {
            "/trailer.html": (200, "text/html; charset=utf-8", HTML.encode()),
            "/refunds.md": (200, "text/markdown", MARKDOWN.encode()),
            "/latin.txt": (200, "text/plain; charset=ISO-8859-1", "Café ranch rules: spurs off indoors.".encode("latin-1")),
            "/goat.pdf": (200, "application/pdf", pdf_bytes()),
            "/photo.png": (200, "image/png", b"\x89PNG\r\n\x1a\n"),
            "/broken.pdf": (200, "application/pdf", b"%PDF-1.4 not really"),
            "/empty.html": (200, "text/html", b"<html><script>only()</script></html>"),
            "/down": (503, "text/plain", b"maintenance"),
        }
    )
    served.streamed["/endless.txt"] = 21 * 1024 * 1024
    threading.Thread(target=served.server.serve_forever, daemon=True).start()
    yield served
    served.server.shutdown()
    served.server.server_close()


async def settled(stub: Stub, admin: Metadata, uri: str, title: str = "From the web") -> pb.Document:
    created = await stub.CreateDocument(pb.CreateDocumentRequest(document=pb.Document(title=title, uri=uri)), metadata=admin)
    assert created.document.uri == uri
    for _ in range(400):
        found = await stub.GetDocument(
            pb.GetDocumentRequest(name=created.document.name, view=pb.DOCUMENT_VIEW_FULL), metadata=admin
        )
        if found.document.state in (pb.DOCUMENT_STATE_READY, pb.DOCUMENT_STATE_FAILED):
            return found.document
        await asyncio.sleep(0.05)
    raise AssertionError("the document never settled")


def reason_of(document: pb.Document) -> str:
    info = error_details_pb2.ErrorInfo()
    assert document.error.details[0].Unpack(info)
    return info.reason


async def test_html_markdown_text_and_pdf_are_fetched_to_ready(stub: Stub, admin: Metadata, site: Site) -> None:
    html = await settled(stub, admin, site.url("/trailer.html"))
    assert html.state == pb.DOCUMENT_STATE_READY, html.error.message
    assert "Practise on the ground first & reward each step." in html.text
    assert "Trailer loading" in html.text
    assert "secret" not in html.text
    assert "color" not in html.text
    assert html.chunk_count >= 1
    found = await stub.RetrieveChunks(
        pb.RetrieveChunksRequest(query="tie the horse before the butt bar", documents=[html.name]), metadata=admin
    )
    assert found.chunks[0].document == html.name
    markdown = await settled(stub, admin, site.url("/refunds.md"))
    assert markdown.text == MARKDOWN
    latin = await settled(stub, admin, site.url("/latin.txt"))
    assert latin.text == "Café ranch rules: spurs off indoors."
    pdf = await settled(stub, admin, site.url("/goat.pdf"))
    assert pdf.state == pb.DOCUMENT_STATE_READY, pdf.error.message
    assert "six seconds" in pdf.text
    assert "después" in pdf.text
    plain = await stub.GetDocument(pb.GetDocumentRequest(name=pdf.name), metadata=admin)
    assert plain.document.uri == site.url("/goat.pdf")
    assert not plain.document.text


@pytest.mark.parametrize(
    ("path", "code", "reason"),
    [
        ("/missing.html", grpc.StatusCode.NOT_FOUND, "DOCUMENT_FETCH_FAILED"),
        ("/down", grpc.StatusCode.UNAVAILABLE, "DOCUMENT_FETCH_FAILED"),
        ("/photo.png", grpc.StatusCode.INVALID_ARGUMENT, "UNSUPPORTED_DOCUMENT_TYPE"),
        ("/broken.pdf", grpc.StatusCode.INVALID_ARGUMENT, "UNSUPPORTED_DOCUMENT_TYPE"),
        ("/empty.html", grpc.StatusCode.INVALID_ARGUMENT, "UNSUPPORTED_DOCUMENT_TYPE"),
        ("/endless.txt", grpc.StatusCode.INVALID_ARGUMENT, "DOCUMENT_TOO_LARGE"),
    ],
)
async def test_fetch_failures_fail_the_document_with_code_and_reason(
    stub: Stub, admin: Metadata, site: Site, path: str, code: grpc.StatusCode, reason: str
) -> None:
    document = await settled(stub, admin, site.url(path))
    assert document.state == pb.DOCUMENT_STATE_FAILED
    assert (document.error.code, reason_of(document)) == (code.value[0], reason), document.error.message


async def test_an_unreachable_host_fails_and_bad_uris_are_refused(stub: Stub, admin: Metadata, site: Site) -> None:
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = closed.server_address[1]
    closed.server_close()  # nothing listens there now
    document = await settled(stub, admin, f"http://127.0.0.1:{port}/gone.txt")
    assert (document.state, reason_of(document)) == (pb.DOCUMENT_STATE_FAILED, "DOCUMENT_FETCH_FAILED")
    assert document.error.code == grpc.StatusCode.UNAVAILABLE.value[0]
    for uri in ("ftp://example.com/a.txt", "file:///etc/passwd", "http://", "not a url"):
        bad = await fails(stub.CreateDocument(pb.CreateDocumentRequest(document=pb.Document(title="t", uri=uri)), metadata=admin))
        expect(bad, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    # The same uri twice is a duplicate, named in the error.
    first = await settled(stub, admin, site.url("/refunds.md?copy=1"))
    twice = await fails(
        stub.CreateDocument(
            pb.CreateDocumentRequest(document=pb.Document(title="again", uri=site.url("/refunds.md?copy=1"))), metadata=admin
        )
    )
    expect(twice, grpc.StatusCode.ALREADY_EXISTS, "DUPLICATE_DOCUMENT")
    assert twice.info is not None
    assert twice.info.metadata["document"] == first.name


async def test_changing_the_uri_refetches(stub: Stub, admin: Metadata, site: Site) -> None:
    document = await settled(stub, admin, site.url("/refunds.md?v=1"))
    site.pages["/trailer2.html"] = site.pages["/trailer.html"]
    await stub.UpdateDocument(
        pb.UpdateDocumentRequest(
            document=pb.Document(name=document.name, uri=site.url("/trailer2.html")), update_mask={"paths": ["uri"]}
        ),
        metadata=admin,
    )
    for _ in range(400):
        found = (
            await stub.GetDocument(pb.GetDocumentRequest(name=document.name, view=pb.DOCUMENT_VIEW_FULL), metadata=admin)
        ).document
        if found.state == pb.DOCUMENT_STATE_READY and "butt bar" in found.text:
            break
        await asyncio.sleep(0.05)
    assert "butt bar" in found.text
    bad = await fails(
        stub.UpdateDocument(
            pb.UpdateDocumentRequest(document=pb.Document(name=document.name, uri="gopher://x"), update_mask={"paths": ["uri"]}),
            metadata=admin,
        )
    )
    expect(bad, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.2", "10.0.0.7", "172.16.5.4", "192.168.1.1", "100.64.0.1", "169.254.169.254",
        "0.0.0.0",  # noqa: S104 -- an address refused, not bound
        "224.0.0.251", "[::1]", "[fe80::1]", "[fd00:ec2::254]", "[ff02::1]", "[::ffff:127.0.0.2]", "[::ffff:a9fe:a9fe]",
    ],
)  # fmt: skip
async def test_a_uri_naming_an_inside_address_is_refused_at_create(stub: Stub, admin: Metadata, host: str) -> None:
    bad = await fails(
        stub.CreateDocument(pb.CreateDocumentRequest(document=pb.Document(title="t", uri=f"http://{host}/x.txt")), metadata=admin)
    )
    expect(bad, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    assert "not fetched" in bad.message


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.2:{port}/secret.txt",
        "http://[::ffff:127.0.0.2]:{port}/secret.txt",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
async def test_a_redirect_to_an_inside_address_fails_the_document(stub: Stub, admin: Metadata, site: Site, target: str) -> None:
    """The first hop is allowed (127.0.0.1 is configured); the redirect's host is checked when it connects."""
    hop = f"/hop-{len(site.redirects)}"
    site.redirects[hop] = target.format(port=site.server.server_address[1])
    document = await settled(stub, admin, site.url(hop))
    assert document.state == pb.DOCUMENT_STATE_FAILED
    assert (document.error.code, reason_of(document)) == (grpc.StatusCode.PERMISSION_DENIED.value[0], "DOCUMENT_FETCH_FAILED")
    assert "not fetched" in document.error.message


async def test_a_redirect_within_the_allowed_site_is_followed(stub: Stub, admin: Metadata, site: Site) -> None:
    site.pages["/moved-here.html"] = site.pages["/trailer.html"]
    site.redirects["/moved.html"] = site.url("/moved-here.html")
    document = await settled(stub, admin, site.url("/moved.html"))
    assert document.state == pb.DOCUMENT_STATE_READY, document.error.message
    assert "butt bar" in document.text
