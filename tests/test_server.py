"""The door as it is served: the generated nginx config run for real, over real TLS, in real Chromium.

A published sample is served by nginx with the configuration `kanwu serve-config nginx` writes:
each audience on its own origin (quanti.localhost, lingdao.localhost: Chromium and the kernel put
every *.localhost on the loopback), passwords only over HTTPS, plain HTTP only redirecting, and a
Content-Security-Policy under which the pages load nothing but their own site's files.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import time

import pytest

from conftest import copy_sample

HOSTS = {"quanti": "quanti.localhost", "lingdao": "lingdao.localhost"}
USERS = {"quanti": ("staff", "quanti-pw"), "lingdao": ("leader", "lingdao-pw")}


def ssha(password: str) -> str:
    salt = b"kanwu-test"
    digest = hashlib.sha1(password.encode() + salt).digest()
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_pki(d) -> dict:
    """A CA and the site's certificate for the two hosts; a client CA with one client, and a stranger's."""
    d.mkdir()
    for ca in ("ca", "client-ca", "rogue-ca"):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN=kanwu test {ca}",
                "-keyout", f"{ca}.key", "-out", f"{ca}.crt", cwd=d)
    (d / "san.cnf").write_text("subjectAltName=" + ",".join(f"DNS:{h}" for h in HOSTS.values()) + "\n")
    for name, ca, ext in (("site", "ca", ["-extfile", "san.cnf"]), ("client", "client-ca", []), ("rogue", "rogue-ca", [])):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}", "-keyout", f"{name}.key", "-out", f"{name}.csr", cwd=d)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key", "-CAcreateserial",
                "-days", "2", "-out", f"{name}.crt", *ext, cwd=d)
    return {p.stem if p.suffix == ".crt" else p.name: str(p) for p in d.iterdir()}


@contextlib.contextmanager
def nginx(tmp, server: str, ports):
    if not shutil.which("nginx") and not os.path.exists("/usr/sbin/nginx"):
        pytest.fail("nginx is missing: scripts/setup-system.sh installs nginx-light")
    tmp.mkdir()
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / d).mkdir()
    conf = tmp / "nginx.conf"
    conf.write_text(f"""
{'user root;' if os.geteuid() == 0 else ''}
worker_processes 1;
error_log {tmp}/error.log;
pid {tmp}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
{server}
}}
""")
    exe = shutil.which("nginx") or "/usr/sbin/nginx"
    test = subprocess.run([exe, "-t", "-c", str(conf), "-p", str(tmp)], capture_output=True, text=True)
    assert test.returncode == 0, test.stderr + server
    proc = subprocess.Popen([exe, "-c", str(conf), "-p", str(tmp), "-g", "daemon off;"])
    try:
        for port in ports:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.05)
        yield tmp
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class Served:
    def __init__(self, tmp, srv, tree, pki, port, http_port):
        self.tmp, self.srv, self.tree, self.pki, self.port, self.http_port = tmp, srv, tree, pki, port, http_port

    def tls(self, cert=None):
        ctx = ssl.create_default_context(cafile=self.pki["ca"])
        if cert:
            ctx.load_cert_chain(self.pki[cert], self.pki[f"{cert}.key"])
        return ctx

    def get(self, aud, path, user=None, password=None, *, host=None, cert=None, source="127.0.0.1", plain=False, accept=""):
        """One request exactly as written (no path normalisation), to the audience's host name."""
        host = host or HOSTS[aud]
        sock = socket.create_connection(("127.0.0.1", self.http_port if plain else self.port), timeout=10,
                                        source_address=(source, 0))
        if not plain:  # SNI and the certificate check against the host name; the connection to the loopback
            sock = self.tls(cert).wrap_socket(sock, server_hostname=host)
        conn = http.client.HTTPConnection(host, timeout=10)
        conn.sock = sock
        conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", f"{host}:{self.http_port if plain else self.port}")
        if accept:
            conn.putheader("Accept-Encoding", accept)
        if user:
            conn.putheader("Authorization", "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        return resp.status, dict(resp.getheaders()), body


def serve_config(tree, srv, pki, port, http_port, secrets, *extra):
    result = tree.run("serve-config", "nginx", "--site-root", str(srv), "--listen", f"127.0.0.1:{port}",
                      "--http-listen", f"127.0.0.1:{http_port}", "--server-name", "localhost",
                      "--tls-cert", pki["site"], "--tls-key", pki["site.key"], "--htpasswd-dir", str(secrets), *extra)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("served")
    tree = copy_sample(tmp / "repo")
    srv = tmp / "srv"
    result = tree.run("publish", "--site-root", str(srv))
    assert result.exit_code == 0, result.output
    secrets = tmp / "secrets"
    secrets.mkdir()
    for aud, (user, password) in USERS.items():
        (secrets / f"{aud}.htpasswd").write_text(f"{user}:{ssha(password)}\n")
    pki = make_pki(tmp / "pki")
    port, http_port = free_port(), free_port()
    with nginx(tmp / "nginx", serve_config(tree, srv, pki, port, http_port, secrets), (port, http_port)):
        yield Served(tmp, srv, tree, pki, port, http_port)


def test_lower_credentials_get_nothing_of_the_higher_audience(served):
    live = os.path.realpath(served.srv / "lingdao")
    files = [os.path.relpath(os.path.join(d, f), live) for d, _, fs in os.walk(live, followlinks=True) for f in fs]
    assert any(f.endswith(".pdf") for f in files) and any("pagefind-" in f for f in files)
    for rel in files:
        status, _, body = served.get("lingdao", "/lingdao/" + rel, *USERS["quanti"])
        assert status == 401, rel
        assert "内参".encode() not in body
        # and on the lower audience's own origin, the higher audience's paths do not exist
        status, _, body = served.get("quanti", "/lingdao/" + rel, *USERS["quanti"])
        assert status == 404 and "内参".encode() not in body, rel
    assert served.get("lingdao", "/lingdao/", *USERS["lingdao"])[0] == 200
    assert served.get("lingdao", "/lingdao/periodicals/neican/2026/088/", *USERS["lingdao"])[0] == 200
    assert served.get("quanti", "/quanti/", *USERS["quanti"])[0] == 200
    assert served.get("quanti", "/quanti/")[0] == 401
    assert served.get("lingdao", "/lingdao/", "leader", "wrong")[0] == 401
    assert served.get("lingdao", "/", *USERS["lingdao"])[0] == 302  # / leads to the audience's own path


@pytest.mark.parametrize("path", ["/quanti/../lingdao/index.html", "/quanti/%2e%2e/lingdao/index.html",
                                  "/quanti/..%2flingdao/index.html", "/quanti/%2e%2e%2flingdao/index.html",
                                  "/quanti/./../lingdao/periodicals/neican/2026/088/index.html",
                                  "/quanti/../../etc/passwd", "/%2e%2e/etc/passwd", "/quanti/.kanwu/",
                                  "/.kanwu/lingdao/releases/"])
def test_traversal_gets_nothing(served, path):
    status, _, body = served.get("quanti", path, *USERS["quanti"])
    assert status in (400, 401, 403, 404), (path, status)
    assert "内参".encode() not in body and b"root:" not in body


def test_passwords_only_over_https(served):
    """Plain HTTP answers every path with a redirect to HTTPS, before any password is asked or any page sent."""
    for aud in HOSTS:
        status, headers, body = served.get(aud, f"/{aud}/items/", *USERS[aud], plain=True)
        assert status == 301 and headers["Location"] == f"https://{HOSTS[aud]}:{served.port}/{aud}/items/"
        assert "WWW-Authenticate" not in headers and "信息".encode() not in body
    # and plain HTTP sent to the HTTPS port gets no page either
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    conn.request("GET", "/quanti/", headers={"Host": HOSTS["quanti"]})
    resp = conn.getresponse()
    assert resp.status == 400 and "信息".encode() not in resp.read()
    status, headers, _ = served.get("quanti", "/quanti/", *USERS["quanti"])
    assert status == 200 and headers["Strict-Transport-Security"].startswith("max-age=")


def test_headers_listing_and_cache(served):
    auth = USERS["quanti"]
    status, headers, _ = served.get("quanti", "/quanti/", *auth)
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-cache"
    assert served.get("quanti", "/quanti/assets/", *auth)[0] in (403, 404)  # autoindex off
    live = os.path.realpath(served.srv / "quanti")
    bundle = next(f for f in os.listdir(os.path.join(live, "assets", "javascripts")) if re.fullmatch(r"bundle\.[0-9a-f]+\.min\.js", f))
    status, js_headers, _ = served.get("quanti", f"/quanti/assets/javascripts/{bundle}", *auth)
    assert status == 200 and "immutable" in js_headers["Cache-Control"]
    status, pdf_headers, _ = served.get("quanti", "/quanti/pdf/daily/2026/212.pdf", *auth)
    assert status == 200 and pdf_headers["Content-Type"] == "application/pdf"
    for h in (headers, js_headers, pdf_headers):  # every location carries the whole set
        assert h["Content-Security-Policy"].startswith("default-src 'self';"), h
        assert h["X-Content-Type-Options"] == "nosniff" and h["Referrer-Policy"] == "no-referrer"
    assert served.get("quanti", "/elsewhere/", *auth)[0] == 404


def test_text_is_compressed_on_the_way_and_pagefind_files_are_not_twice(served):
    """Pages, styles and scripts come gzip-compressed to a browser that asks (the search page's
    Material bundle shrinks to about a third); Pagefind's index files, compressed already, come as they are."""
    auth = USERS["quanti"]
    live = os.path.realpath(served.srv / "quanti")
    bundle = next(f for f in os.listdir(os.path.join(live, "assets", "javascripts")) if re.fullmatch(r"bundle\.[0-9a-f]+\.min\.js", f))
    meta = next(os.path.relpath(os.path.join(d, f), live) for d, _, fs in os.walk(live, followlinks=True)
                for f in fs if f.endswith(".pf_meta"))
    for path, compressed in (("/quanti/search/", True), (f"/quanti/assets/javascripts/{bundle}", True),
                             ("/quanti/" + meta.replace(os.sep, "/"), False)):
        status, headers, body = served.get("quanti", path, *auth, accept="gzip")
        assert status == 200, path
        assert (headers.get("Content-Encoding") == "gzip") == compressed, (path, headers)
        plain = served.get("quanti", path, *auth)[2]
        if compressed:
            assert gzip.decompress(body) == plain and len(body) < len(plain) / 2, path
        else:
            assert body == plain and plain[:2] == b"\x1f\x8b"  # Pagefind's own gzip, passed through


def test_an_svg_opened_alone_runs_nothing(served, browser):
    """An SVG with a script, opened by its address: served with a sandboxing CSP, the script does not run."""
    live = os.path.realpath(served.srv / "quanti")
    tmp_svg = os.path.join(live, "assets", "kanwu-test.svg")
    with open(tmp_svg, "w") as fh:
        fh.write('<svg xmlns="http://www.w3.org/2000/svg"><script>document.title="RAN"</script>'
                 '<rect width="10" height="10"/></svg>')
    try:
        status, headers, _ = served.get("quanti", "/quanti/assets/kanwu-test.svg", *USERS["quanti"])
        assert status == 200 and "sandbox" in headers["Content-Security-Policy"]
        context = _context(browser, "quanti")
        page = context.new_page()
        page.goto(f"https://{HOSTS['quanti']}:{served.port}/quanti/assets/kanwu-test.svg")
        page.wait_for_timeout(300)
        assert page.title() != "RAN"
        context.close()
    finally:
        os.remove(tmp_svg)


def _context(browser, aud):
    user, password = USERS[aud]
    return browser.new_context(ignore_https_errors=True, http_credentials={"username": user, "password": password},
                               viewport={"width": 1280, "height": 900}, locale="zh-CN")


WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""


def test_pages_under_the_csp_work_and_load_nothing_else(served, browser):
    """Real Chromium, real nginx, the real policy: home, an item, an issue, statistics and a search
    run without one violation; the search still finds; and what the policy is for, an attempt to load
    from a CDN or to read the other audience's origin, is refused by the browser."""
    context = _context(browser, "quanti")
    loaded, failed = [], []  # what came back, and what the browser stopped
    context.on("requestfinished", lambda r: loaded.append(r.url))
    context.on("requestfailed", lambda r: failed.append(r.url))
    context.add_init_script(WATCH)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    base = f"https://{HOSTS['quanti']}:{served.port}/quanti/"
    live = os.path.realpath(served.srv / "quanti")
    item = next(os.path.relpath(d, live) for d, _, fs in os.walk(os.path.join(live, "items"), followlinks=True) if "index.html" in fs
                and d.count(os.sep) - live.count(os.sep) >= 4)
    for path in ("", item + "/", "periodicals/daily/2026/212/", "stats/", "search/"):
        if not os.path.isdir(os.path.join(live, path)):
            pytest.fail(f"the sample site has no {path}")
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__csp") == [], (path, page.evaluate("window.__csp"))
    page.goto(base + "search/?q=燃气")
    page.wait_for_function("() => document.getElementById('kanwu-search').getAttribute('data-done') === '燃气'",
                           timeout=20000)
    assert page.locator(".kanwu-result").count() >= 1
    assert page.evaluate("window.__csp") == [] and errors == []
    # what the policy is for: nothing external, nothing from the other audience's origin
    other = f"https://{HOSTS['lingdao']}:{served.port}/lingdao/"
    outcome = page.evaluate("""async (other) => {
        const tries = {};
        for (const [name, url] of [["cdn", "https://unpkg.com/mermaid@11/dist/mermaid.min.js"], ["other", other]]) {
            try { await fetch(url); tries[name] = "loaded"; } catch (e) { tries[name] = "refused"; }
        }
        const s = document.createElement("script"); s.src = "https://unpkg.com/x.js"; document.head.appendChild(s);
        const inline = document.createElement("script"); inline.textContent = "window.__inline = 1"; document.head.appendChild(inline);
        await new Promise(r => setTimeout(r, 300));
        return [tries, window.__inline === 1, window.__csp];
    }""", other)
    tries, inline_ran, violations = outcome
    assert tries == {"cdn": "refused", "other": "refused"} and not inline_ran
    assert any("unpkg.com" in v for v in violations) and any("lingdao.localhost" in v for v in violations)
    assert any(v.startswith("script-src") and "inline" in v for v in violations)
    outside = [u for u in loaded if not u.startswith((base, "data:", "blob:"))]
    assert outside == [] and "https://unpkg.com/x.js" in failed, (outside, failed)
    context.close()


def test_client_certificates_and_address_lists_for_real(served):
    """The other two rules, generated and served: lingdao by client certificate, quanti by address list."""
    config = os.path.join(served.tree.root, "content", "kanwu.yml")
    text = open(config, encoding="utf-8").read()
    text = text.replace("access: {type: basic, htpasswd: /etc/kanwu/quanti.htpasswd}", "access: {type: ip, allow: [127.0.0.2/32]}")
    text = text.replace("access: {type: basic, htpasswd: /etc/kanwu/lingdao.htpasswd}",
                        f"access: {{type: cert, ca: {served.pki['client-ca']}}}")
    open(config, "w", encoding="utf-8").write(text)
    port, http_port = free_port(), free_port()
    server = serve_config(served.tree, served.srv, served.pki, port, http_port, served.tmp / "secrets")
    assert "auth_basic" not in server and "ssl_verify_client optional" in server
    with nginx(served.tmp / "nginx-rules", server, (port, http_port)):
        other = Served(served.tmp, served.srv, served.tree, served.pki, port, http_port)
        assert other.get("lingdao", "/lingdao/", cert="client")[0] == 200
        for cert in (None, "rogue"):
            status, _, body = other.get("lingdao", "/lingdao/periodicals/neican/2026/088/", cert=cert)
            assert status in (400, 403) and "内参".encode() not in body, cert
        assert other.get("quanti", "/quanti/", source="127.0.0.2")[0] == 200
        status, _, body = other.get("quanti", "/quanti/", source="127.0.0.1")
        assert status == 403 and "信息".encode() not in body
    open(config, "w", encoding="utf-8").write(text.replace(f"access: {{type: cert, ca: {served.pki['client-ca']}}}",
                                                           "access: {type: basic, htpasswd: /etc/kanwu/lingdao.htpasswd}"))


def test_apache_config_generated(tree):
    out = tree.run("serve-config", "apache").output
    assert "Options -Indexes" in out and "AuthUserFile /etc/kanwu/lingdao.htpasswd" in out
    assert "SSLCertificateFile /etc/kanwu/tls/xinxi.crt" in out and "RewriteRule ^ https://" in out
    assert out.count("Header always set Content-Security-Policy \"default-src 'self';") == 2
    assert "ServerName quanti.xinxi.lanjiang.intranet" in out and "ServerName lingdao.xinxi.lanjiang.intranet" in out
    assert out.count("AddOutputFilterByType DEFLATE text/html text/css application/javascript") == 2


def test_serve_config_refuses_what_would_be_unsafe(tree):
    config = os.path.join(tree.root, "content/kanwu.yml")
    text = open(config, encoding="utf-8").read()
    open(config, "w", encoding="utf-8").write(text.replace("    access: {type: basic, htpasswd: /etc/kanwu/lingdao.htpasswd}\n", ""))
    result = tree.run("serve-config", "nginx")
    assert result.exit_code == 1 and "lingdao" in result.output
    no_tls = re.sub(r"  tls_(cert|key): .*\n", "", text)
    open(config, "w", encoding="utf-8").write(no_tls)
    result = tree.run("serve-config", "nginx")
    assert result.exit_code == 1 and "必须经 HTTPS" in result.output and "tls_cert" in result.output
    shared = text.replace("    name: 领导\n", "    name: 领导\n    server_name: quanti.xinxi.lanjiang.intranet\n")
    open(config, "w", encoding="utf-8").write(shared)
    result = tree.run("serve-config", "nginx")
    assert result.exit_code == 1 and "同一个域名" in result.output
