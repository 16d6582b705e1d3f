"""The web server is the door: generated nginx (and Apache) configuration per audience.

Each audience is served under /<audience>/ from its own live link under the publish root,
with its own access rule; nothing is shared between audiences, directory listings are off,
HTML is never cached and fingerprinted assets are cached for a year.
"""

from __future__ import annotations

from .errors import KanwuError
from .model import Config, level

# Material's bundles and Pagefind's chunks carry a content hash in their names.
FINGERPRINTED = r"(assets/(javascripts|stylesheets)/.+\.[0-9a-f]{8,}\.min\.(js|css)|pagefind-[\d-]+/(fragment|index|filter|wasm)\..*|pagefind-[\d-]+/(fragment|index|filter)/.+)$"


def _check(config: Config) -> None:
    missing = [a.id for a in config.audiences.values() if not a.access]
    if missing:
        raise KanwuError("以下阅读范围没有声明访问规则（audiences.<范围>.access），不能生成服务器配置："
                         + "、".join(missing))


def nginx(config: Config, root: str, listen: str, server_name: str, htpasswd_dir: str | None = None) -> str:
    _check(config)
    lowest = min(config.audiences.values(), key=lambda a: level(a.max_classification)).id
    cert = [a for a in config.audiences.values() if a.access.get("type") == "cert"]
    out = ["# 由 kanwu serve-config nginx 根据 content/kanwu.yml 生成，请勿手改。",
           "server {",
           f"    listen {listen}{' ssl' if cert else ''};",
           f"    server_name {server_name};",
           f"    root {root};",
           "    charset utf-8;",
           "    charset_types text/css application/javascript application/json text/xml image/svg+xml;",
           "    autoindex off;",
           "    server_tokens off;",
           "    disable_symlinks off;  # 每个阅读范围的上线目录是指向其发布版本的链接",
           "    add_header X-Content-Type-Options nosniff always;",
           "    add_header Referrer-Policy no-referrer always;"]
    if cert:
        out += [f"    ssl_client_certificate {cert[0].access['ca']};", "    ssl_verify_client optional;"]
    out += [f"    location = / {{ return 302 /{lowest}/; }}",
            "    location / { return 404; }",
            "    location ~ /\\. { deny all; return 404; }"]
    for a in config.audiences.values():
        out.append(f"    location /{a.id}/ {{")
        out += ["        " + line for line in _rule(a, htpasswd_dir)]
        out += ['        add_header Cache-Control "no-cache" always;',
                '        add_header X-Content-Type-Options nosniff always;',
                f'        location ~ "^/{a.id}/{FINGERPRINTED}" {{',  # quoted: the regex has braces
                "            " + "\n            ".join(_rule(a, htpasswd_dir)),
                '            add_header Cache-Control "public, max-age=31536000, immutable" always;',
                "        }",
                "    }"]
    out.append("}")
    return "\n".join(out) + "\n"


def _rule(a, htpasswd_dir: str | None) -> list[str]:
    kind = a.access["type"]
    if kind == "basic":
        path = a.access["htpasswd"]
        if htpasswd_dir:
            path = f"{htpasswd_dir.rstrip('/')}/{a.id}.htpasswd"
        return [f'auth_basic "{a.name}";', f"auth_basic_user_file {path};"]
    if kind == "ip":
        return [f"allow {net};" for net in a.access["allow"]] + ["deny all;"]
    return ["if ($ssl_client_verify != SUCCESS) { return 403; }"]


def apache(config: Config, root: str, listen: str, server_name: str, htpasswd_dir: str | None = None) -> str:
    _check(config)
    out = ["# 由 kanwu serve-config apache 根据 content/kanwu.yml 生成，请勿手改。",
           f"<VirtualHost {listen if ':' in listen else '*:' + listen}>",
           f"    ServerName {server_name}",
           f"    DocumentRoot {root}",
           "    AddDefaultCharset utf-8",
           "    ServerSignature Off",
           f'    <Directory "{root}">',
           "        Options -Indexes +FollowSymLinks",
           "        AllowOverride None",
           "        Require all denied",
           "    </Directory>"]
    for a in config.audiences.values():
        out += [f'    <Directory "{root}/{a.id}">', '        Header set Cache-Control "no-cache"']
        kind = a.access["type"]
        if kind == "basic":
            path = f"{htpasswd_dir.rstrip('/')}/{a.id}.htpasswd" if htpasswd_dir else a.access["htpasswd"]
            out += ["        AuthType Basic", f'        AuthName "{a.name}"', f"        AuthUserFile {path}",
                    "        Require valid-user"]
        elif kind == "ip":
            out += [f"        Require ip {' '.join(a.access['allow'])}"]
        else:
            out += ["        SSLVerifyClient require", "        Require ssl-verify-client"]
        out += ["    </Directory>"]
    out += ['    <LocationMatch "/\\.">', "        Require all denied", "    </LocationMatch>", "</VirtualHost>"]
    return "\n".join(out) + "\n"
