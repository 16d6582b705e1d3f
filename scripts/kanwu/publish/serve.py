"""The web server is the door: generated nginx (and Apache) configuration, one origin per audience.

Each audience is served from its own live link under the publish root, on its own origin (host
name), with its own access rule: a script on one audience's pages cannot read another's (the
browser's same-origin rule), and one audience's server block has no path to the other's files.
Passwords and client certificates only ever travel over HTTPS; plain HTTP only redirects.
Every response carries a Content-Security-Policy that lets a page load nothing but its own
site's files (no inline script, nothing external even if a bundle names a CDN); an SVG opened
on its own is a sandboxed image. Directory listings are off, HTML is never cached and
fingerprinted assets are cached for a year.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import KanwuError
from ..model import Audience, Config

# Material's bundles and Pagefind's chunks carry a content hash in their names.
FINGERPRINTED = r"(assets/(javascripts|stylesheets)/.+\.[0-9a-f]{8,}\.min\.(js|css)|pagefind-[\d-]+/(fragment|index|filter|wasm)\..*|pagefind-[\d-]+/(fragment|index|filter)/.+)$"

# Pagefind compiles its WebAssembly ('wasm-unsafe-eval'); Material's icons are data: images in CSS.
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'self'")
# An SVG opened by itself is a document that could run script: it gets none.
SVG_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"
HSTS = "max-age=31536000"
# compressed on the way (text/html always is): what the site is made of besides Pagefind's files and PDFs
COMPRESSED_TYPES = ("text/css", "application/javascript", "text/javascript", "application/json", "text/xml",
                    "application/xml", "image/svg+xml")


@dataclass(frozen=True)
class Door:
    """Where and how the sites are served: from ``publish:`` in content/kanwu.yml and the command line."""
    root: str
    listen: str  # the audiences' servers: HTTPS when there is a certificate
    http_listen: str  # plain HTTP that only redirects to HTTPS ("" = none)
    server_name: str  # the base name: an audience without its own is <id>.<server_name>
    tls_cert: str
    tls_key: str
    htpasswd_dir: str | None

    @property
    def tls(self) -> bool:
        return bool(self.tls_cert)

    def name(self, a: Audience) -> str:
        return a.server_name or f"{a.id}.{self.server_name}"


def door(config: Config, site_root=None, listen=None, http_listen=None, server_name=None, tls_cert=None,
         tls_key=None, htpasswd_dir=None) -> Door:
    """The settings, checked: a password or certificate rule needs HTTPS, and audiences need their own origins."""
    pub = config.publish
    cert = tls_cert or str(pub.get("tls_cert") or "")
    key = tls_key or str(pub.get("tls_key") or "")
    if bool(cert) != bool(key):
        raise KanwuError("网站证书和私钥要一起给出：publish.tls_cert 和 publish.tls_key（或 --tls-cert 和 --tls-key）")
    d = Door(root=site_root or str(pub.get("root") or "/srv/kanwu"),
             listen=listen or str(pub.get("listen") or ("443" if cert else "80")),
             http_listen=(http_listen if http_listen is not None else str(pub.get("http_listen", "80") or "")) if cert else "",
             server_name=server_name or str(pub.get("server_name") or "localhost"),
             tls_cert=cert, tls_key=key, htpasswd_dir=htpasswd_dir)
    missing = [a.id for a in config.audiences.values() if not a.access]
    if missing:
        raise KanwuError("以下阅读范围没有声明访问规则（audiences.<范围>.access），不能生成服务器配置："
                         + "、".join(missing))
    secret = [a.id for a in config.audiences.values() if a.access.get("type") in ("basic", "cert")]
    if secret and not d.tls:
        raise KanwuError(f"阅读范围 {'、'.join(secret)} 用口令或证书登录，必须经 HTTPS 传送，否则口令在内网上是明文。"
                         "怎么改：在 content/kanwu.yml 的 publish 写 tls_cert 和 tls_key（网站证书和私钥的路径），"
                         "或用 --tls-cert 和 --tls-key 指定")
    if d.http_listen and _port(d.http_listen) == _port(d.listen):
        raise KanwuError(f"HTTPS 和只做跳转的 HTTP 不能用同一个端口（{d.listen}）：请改 publish.listen 或 publish.http_listen")
    names: dict = {}
    for a in config.audiences.values():
        names.setdefault(d.name(a), []).append(a.id)
    shared = [f"{n}（{'、'.join(ids)}）" for n, ids in names.items() if len(ids) > 1]
    if shared:
        raise KanwuError("几个阅读范围用了同一个域名：" + "；".join(shared) + "。同一来源的页面能读取彼此的内容，"
                         "每个阅读范围要有自己的域名：audiences.<范围>.server_name，或不写（默认 <范围>.<publish.server_name>）")
    return d


def _port(listen: str) -> str:
    return listen.rsplit(":", 1)[-1].split()[0]


def _redirect_suffix(d: Door) -> str:
    port = _port(d.listen)
    return "" if port == "443" else f":{port}"


def _nginx_headers(d: Door, cache: str, csp: str = CSP) -> list[str]:
    # add_header is not inherited by a location that has its own: every location gets the whole set.
    out = [f'add_header Cache-Control "{cache}" always;',
           "add_header X-Content-Type-Options nosniff always;",
           "add_header Referrer-Policy no-referrer always;",
           "add_header X-Frame-Options SAMEORIGIN always;",
           f'add_header Content-Security-Policy "{csp}" always;']
    return out + ([f'add_header Strict-Transport-Security "{HSTS}" always;'] if d.tls else [])


def nginx(config: Config, d: Door) -> str:
    out = ["# 由 kanwu serve-config nginx 根据 content/kanwu.yml 生成，请勿手改。",
           "# 每个阅读范围一个域名（各自的来源），口令和证书只经 HTTPS。"]
    if d.http_listen:
        out += ["server {  # 明文 HTTP 只做跳转",
                f"    listen {d.http_listen};",
                f"    server_name {' '.join(d.name(a) for a in config.audiences.values())};",
                "    server_tokens off;",
                f"    return 301 https://$host{_redirect_suffix(d)}$request_uri;",
                "}"]
    for a in config.audiences.values():
        out += [f"server {{  # {a.name}", f"    listen {d.listen}{' ssl' if d.tls else ''};", f"    server_name {d.name(a)};"]
        if d.tls:
            out += [f"    ssl_certificate {d.tls_cert};", f"    ssl_certificate_key {d.tls_key};",
                    "    ssl_protocols TLSv1.2 TLSv1.3;"]
        if a.access["type"] == "cert":
            out += [f"    ssl_client_certificate {a.access['ca']};", "    ssl_verify_client optional;"]
        out += [f"    root {d.root};",
                "    charset utf-8;",
                "    charset_types text/css application/javascript application/json text/xml image/svg+xml;",
                "    autoindex off;",
                "    server_tokens off;",
                # pages, styles and scripts are text and shrink to a quarter; Pagefind's files are
                # compressed already (application/octet-stream, not listed). Static files only, no
                # request text is echoed into a response: nothing for BREACH-style guessing.
                "    gzip on;",
                "    gzip_comp_level 5;",
                "    gzip_min_length 1024;",
                "    gzip_vary on;",
                f"    gzip_types {' '.join(COMPRESSED_TYPES)};",
                "    disable_symlinks off;  # 上线目录是指向其发布版本的链接",
                f"    location = / {{ return 302 /{a.id}/; }}",
                "    location / { return 404; }",
                "    location ~ /\\. { return 404; }",
                f"    location /{a.id}/ {{"]
        rule = _nginx_rule(a, d.htpasswd_dir)
        inner = [(r'"\.[sS][vV][gG]$"', _nginx_headers(d, "no-cache", SVG_CSP)),
                 (f'"^/{a.id}/{FINGERPRINTED}"', _nginx_headers(d, "public, max-age=31536000, immutable"))]
        out += ["        " + line for line in rule + _nginx_headers(d, "no-cache")]
        out += ["        location ~ /\\. { return 404; }"]  # before the nested regexes below
        for pattern, headers in inner:  # quoted: the regexes have braces
            out += [f"        location ~ {pattern} {{"] + ["            " + line for line in rule + headers] + ["        }"]
        out += ["    }", "}"]
    return "\n".join(out) + "\n"


def _nginx_rule(a: Audience, htpasswd_dir: str | None) -> list[str]:
    kind = a.access["type"]
    if kind == "basic":
        return [f'auth_basic "{a.name}";', f"auth_basic_user_file {_htpasswd(a, htpasswd_dir)};"]
    if kind == "ip":
        return [f"allow {net};" for net in a.access["allow"]] + ["deny all;"]
    return ["if ($ssl_client_verify != SUCCESS) { return 403; }"]


def _htpasswd(a: Audience, htpasswd_dir: str | None) -> str:
    return f"{htpasswd_dir.rstrip('/')}/{a.id}.htpasswd" if htpasswd_dir else a.access["htpasswd"]


def apache(config: Config, d: Door) -> str:
    """The same door for Apache (mod_ssl, mod_headers, mod_rewrite)."""
    def vhost(listen):
        return f"<VirtualHost {listen if ':' in listen else '*:' + listen}>"

    headers = [f'Header always set {k} "{v}"' for k, v in (
        ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "SAMEORIGIN"), ("Content-Security-Policy", CSP))]
    headers += [f'Header always set Strict-Transport-Security "{HSTS}"'] if d.tls else []
    out = ["# 由 kanwu serve-config apache 根据 content/kanwu.yml 生成，请勿手改。",
           "# 需要 mod_ssl、mod_headers、mod_rewrite、mod_deflate。每个阅读范围一个域名，口令和证书只经 HTTPS。"]
    names = [d.name(a) for a in config.audiences.values()]
    if d.http_listen:
        out += [vhost(d.http_listen) + "  # 明文 HTTP 只做跳转", f"    ServerName {names[0]}"]
        out += [f"    ServerAlias {' '.join(names[1:])}"] if names[1:] else []
        out += ["    RewriteEngine On", f"    RewriteRule ^ https://%{{HTTP_HOST}}{_redirect_suffix(d)}%{{REQUEST_URI}} [R=301,L]",
                "</VirtualHost>"]
    for a in config.audiences.values():
        out += [vhost(d.listen) + f"  # {a.name}", f"    ServerName {d.name(a)}", f"    DocumentRoot {d.root}",
                "    AddDefaultCharset utf-8", "    ServerSignature Off"]
        if d.tls:
            out += ["    SSLEngine on", f"    SSLCertificateFile {d.tls_cert}", f"    SSLCertificateKeyFile {d.tls_key}",
                    "    SSLProtocol -all +TLSv1.2 +TLSv1.3"]
        if a.access["type"] == "cert":
            out += [f"    SSLCACertificateFile {a.access['ca']}", "    SSLVerifyClient require", "    SSLVerifyDepth 3"]
        out += ["    " + h for h in headers]
        out += [f"    AddOutputFilterByType DEFLATE text/html {' '.join(COMPRESSED_TYPES)}"]
        out += [f"    RedirectMatch 302 ^/$ /{a.id}/",
                f'    <Directory "{d.root}">', "        Options -Indexes +FollowSymLinks", "        AllowOverride None",
                "        Require all denied", "    </Directory>",
                f'    <Directory "{d.root}/{a.id}">', '        Header set Cache-Control "no-cache"']
        kind = a.access["type"]
        if kind == "basic":
            out += ["        AuthType Basic", f'        AuthName "{a.name}"', f"        AuthUserFile {_htpasswd(a, d.htpasswd_dir)}",
                    "        Require valid-user"]
        elif kind == "ip":
            out += [f"        Require ip {' '.join(a.access['allow'])}"]
        else:
            out += ["        Require ssl-verify-client"]
        out += ['        <FilesMatch "\\.[sS][vV][gG]$">', f'            Header always set Content-Security-Policy "{SVG_CSP}"',
                "        </FilesMatch>", "    </Directory>",
                '    <LocationMatch "/\\.">', "        Require all denied", "    </LocationMatch>", "</VirtualHost>"]
    return "\n".join(out) + "\n"
