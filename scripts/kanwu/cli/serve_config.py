"""The ``kanwu serve-config`` command."""

from __future__ import annotations

import click

from ..source.config import load_config
from .base import CONTEXT, _root, cli


@cli.command("serve-config", context_settings=CONTEXT)
@click.argument("server", type=click.Choice(["nginx", "apache"]), metavar="nginx|apache")
@click.option("--site-root", metavar="目录", help="上线目录（默认 content/kanwu.yml 的 publish.root）")
@click.option("--listen", metavar="地址", help="网站的监听地址（默认 publish.listen；有证书时 443，否则 80）")
@click.option("--http-listen", metavar="地址", help="只做跳转的明文 HTTP 地址（默认 publish.http_listen 或 80；空字符串表示不要）")
@click.option("--server-name", metavar="域名", help="基础域名（默认 publish.server_name）：没写 server_name 的阅读范围用 <范围>.<基础域名>")
@click.option("--tls-cert", metavar="文件", help="网站证书（默认 publish.tls_cert）")
@click.option("--tls-key", metavar="文件", help="网站证书的私钥（默认 publish.tls_key）")
@click.option("--htpasswd-dir", metavar="目录", help="口令文件所在目录（文件名为 <阅读范围>.htpasswd），代替配置中的路径")
@click.pass_context
def serve_config(ctx, server, site_root, listen, http_listen, server_name, tls_cert, tls_key, htpasswd_dir):
    """生成网站服务器配置：每个阅读范围一个域名和访问规则，口令只经 HTTPS，内容安全策略只许加载本站文件；也可 apache。

    \b
    例：kanwu serve-config nginx > /etc/nginx/sites-available/kanwu
    """
    from ..publish import serve
    config = load_config(_root(ctx))
    d = serve.door(config, site_root, listen, http_listen, server_name, tls_cert, tls_key, htpasswd_dir)
    click.echo(serve.nginx(config, d) if server == "nginx" else serve.apache(config, d), nl=False)
