"""The renderer fetches nothing but data: URLs and our packaged assets (SECURITY.md 19): a
report that points at a local server, a file on disk or a path out of the asset folder
gets none of them, and the PDF embeds no file."""

import base64
import io
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pypdf import PdfReader

from counsel.reports import engine
from counsel.reports.engine import PackagedAssetsOnly, render_in_process
from counsel.reports.render import ASSET_ORIGIN, render_pdf

from .test_render import png

# Never opens the database: run once, in the SQLite pass (scripts/test-all).
pytestmark = pytest.mark.database_free

PASSWD = "root:x:0:0"


class CountingServer(ThreadingHTTPServer):
    """Counts every connection, whether or not it makes a well-formed request."""

    hits = 0

    def verify_request(self, request, client_address):
        type(self).hits += 1
        return True


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        body = b"body { color: red }"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    CountingServer.hits = 0
    httpd = CountingServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def attempts(origin: str) -> dict[str, str]:
    """Every way we know of for a document to make WeasyPrint fetch something."""
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><style>'
           f'@import url({origin}/svg.css);</style><image href="{origin}/svg-image.png" '
           'width="10" height="10"/></svg>')
    return {
        "img": f'<img src="{origin}/image.png" alt="">',
        "stylesheet": f'<link rel="stylesheet" href="{origin}/style.css">',
        "@import": f"<style>@import url({origin}/import.css);</style>",
        "@font-face": (f"<style>@font-face {{ font-family: Away; src: url({origin}/f.woff) }}"
                       "p { font-family: Away }</style><p>text</p>"),
        "background-image": f'<p style="background-image: url({origin}/bg.png)">bg</p>',
        "list-style-image": f'<ul style="list-style-image: url({origin}/li.png)"><li>a</ul>',
        "content": f"<style>h1::before {{ content: url({origin}/before.png) }}</style><h1>h</h1>",
        "@page": f"<style>@page {{ background: url({origin}/page.png) }}</style>",
        "object": f'<object data="{origin}/object.png" type="image/png"></object>',
        "embed": f'<embed src="{origin}/embed.png" type="image/png">',
        "iframe": f'<iframe src="{origin}/iframe.html"></iframe>',
        "input image": f'<input type="image" src="{origin}/input.png">',
        "link": f'<a href="{origin}/link">a link is written, never fetched</a>',
        "redirect": f'<img src="{origin}/redirect" alt=""><link rel="stylesheet" '
                    f'href="{origin}/redirect">',
        "https": f'<img src="{origin.replace("http:", "https:")}/tls.png" alt="">',
        "ftp": f'<img src="{origin.replace("http:", "ftp:")}/ftp.png" alt="">',
        "base": f'<base href="{origin}/"><img src="relative.png" alt="">',
        "inline svg": svg,
        "svg image": '<img src="data:image/svg+xml;base64,'
                     f'{base64.b64encode(svg.encode()).decode()}" alt="">',
        "attachment link": f'<link rel="attachment" href="{origin}/attached.txt">',
        "attachment anchor": f'<a rel="attachment" href="{origin}/attached.txt">file</a>',
    }


FILES = {
    "file img": '<img src="file:///etc/passwd" alt="">',
    "file stylesheet": '<link rel="stylesheet" href="file:///etc/passwd">',
    "file attachment": '<link rel="attachment" href="file:///etc/passwd">',
    "file anchor attachment": '<a rel="attachment" href="file:///etc/passwd">passwd</a>',
    "file object": '<object data="file:///etc/passwd" type="text/plain"></object>',
    "file @import": "<style>@import url(file:///etc/passwd);</style>",
}

OUT_OF_ASSETS = [
    ASSET_ORIGIN + "../../../etc/passwd",
    ASSET_ORIGIN + "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    ASSET_ORIGIN + "%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    ASSET_ORIGIN + "%252e%252e/%252e%252e/etc/passwd",
    ASSET_ORIGIN + "..%5c..%5c..%5cetc%5cpasswd",
    ASSET_ORIGIN + "/etc/passwd",
    ASSET_ORIGIN + "report.css%00.png",
    ASSET_ORIGIN + "../pdf/report.css",
    "https://assets.counsel.invalid.example.org/report.css",
    "https://assets.counsel.invalid:8443/report.css",
    "http://assets.counsel.invalid/report.css",
    "../../../../../../etc/passwd",
    "/etc/passwd",
]


def document(snippets) -> str:
    return ('<html lang="en"><head><title>Report</title></head><body><p>Report</p>'
            + "".join(snippets) + "</body></html>")


def assert_nothing_got_in(pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.attachments == {}
    names = reader.trailer["/Root"].get("/Names")
    assert names is None or "/EmbeddedFiles" not in names.get_object()
    for page in reader.pages:
        assert "/Annots" not in page or all(
            a.get_object().get("/Subtype") != "/FileAttachment" for a in page["/Annots"])
        assert PASSWD not in page.extract_text()
    assert PASSWD.encode() not in pdf


@pytest.mark.parametrize("name", list(attempts("http://x")))
def test_nothing_is_fetched_from_a_server(server, name):
    rendered = render_in_process(document([attempts(server)[name]]))
    assert CountingServer.hits == 0
    assert_nothing_got_in(rendered.pdf)


@pytest.mark.parametrize("name", list(FILES))
def test_nothing_is_read_from_disk(name):
    assert_nothing_got_in(render_in_process(document([FILES[name]])).pdf)


@pytest.mark.parametrize("url", OUT_OF_ASSETS)
def test_nothing_is_read_out_of_the_asset_folder(url):
    html = document([f'<img src="{url}" alt="">', f'<link rel="stylesheet" href="{url}">',
                     f'<link rel="attachment" href="{url}">'])
    assert_nothing_got_in(render_in_process(html).pdf)
    with pytest.raises(ValueError, match="refused"):
        PackagedAssetsOnly().fetch(url if "://" in url else ASSET_ORIGIN + url)


def test_all_of_it_at_once_in_the_child_process(server, caplog):
    snippets = [*attempts(server).values(), *FILES.values()]
    snippets += [f'<img src="{url}" alt="">' for url in OUT_OF_ASSETS]
    with caplog.at_level(logging.WARNING, logger="counsel.reports"):
        rendered = render_pdf(document(snippets))
    assert CountingServer.hits == 0
    assert_nothing_got_in(rendered.pdf)
    ours = [r.getMessage() for r in caplog.records if r.name == "counsel.reports"]
    assert "A report referred to file://; refused (packaged assets only)" in ours
    assert not any("etc" in message or "image.png" in message for message in ours)


def test_a_refusal_is_logged_without_the_path_or_query(server, caplog):
    with caplog.at_level(logging.WARNING, logger="counsel.reports"):
        render_in_process(document([f'<img src="{server}/clients/7?name=Ana" alt="">']))
    ours = [r.getMessage() for r in caplog.records if r.name == "counsel.reports"]
    assert ours == ["A report referred to http://127.0.0.1; refused (packaged assets only)"]
    assert all(r.levelno == logging.WARNING for r in caplog.records
               if r.name == "counsel.reports")


def test_a_symlink_out_of_the_asset_folder_is_refused(tmp_path, monkeypatch):
    (tmp_path / "passwd.css").symlink_to("/etc/passwd")
    (tmp_path / "fine.css").write_text("p { color: red }")
    monkeypatch.setattr(engine, "ASSET_FOLDER", tmp_path)
    with pytest.raises(ValueError, match="refused"):
        PackagedAssetsOnly().fetch(ASSET_ORIGIN + "passwd.css")
    assert PackagedAssetsOnly().fetch(ASSET_ORIGIN + "fine.css").read() == b"p { color: red }"


def test_packaged_assets_are_served():
    response = PackagedAssetsOnly().fetch(ASSET_ORIGIN + "report.css")
    assert response.read() == (engine.ASSET_FOLDER / "report.css").read_bytes()
    assert response.content_type == "text/css"


def test_a_packaged_stylesheet_is_applied(tmp_path, monkeypatch):
    (tmp_path / "breaks.css").write_text("h1 { page-break-after: always }")
    monkeypatch.setattr(engine, "ASSET_FOLDER", tmp_path)
    html = '<link rel="stylesheet" href="breaks.css"><h1>One</h1><p>Two</p>'
    assert render_in_process(html).pages == 2
    assert render_in_process(html.replace("breaks.css", "missing.css")).pages == 1


def test_a_data_url_image_is_drawn():
    image = base64.b64encode(png(4, 4)).decode()
    html = document([f'<img src="data:image/png;base64,{image}" alt="a square">'])
    page = PdfReader(io.BytesIO(render_pdf(html).pdf)).pages[0]
    objects = page["/Resources"]["/XObject"]
    assert any(objects[name].get_object()["/Subtype"] == "/Image" for name in objects)


def test_a_report_embeds_no_file_even_from_a_data_url():
    html = document(['<link rel="attachment" href="data:text/plain,private%20notes">'])
    assert_nothing_got_in(render_in_process(html).pdf)


def test_a_data_url_is_decoded_without_the_network():
    response = PackagedAssetsOnly().fetch("data:text/css;charset=utf-8,p%20%7B%7D")
    assert response.read() == b"p {}"
    assert response.content_type == "text/css"
