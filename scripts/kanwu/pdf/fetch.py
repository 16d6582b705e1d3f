"""The only door between a PDF and the file system: the repository's asset folders.

WeasyPrint fetches images, stylesheets and attachments through a url_fetcher. kanwu's
admits ``file:`` URLs whose real path lies inside the allowed folders and nothing else
(no network, no redirects, no ``../``, no symlink out); every refusal stops the render.
"""

from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher

MAX_PIXELS = 25_000_000  # 5000 × 5000: a decoded image of that size is ~100 MB


class FetchRefused(ValueError):
    pass


class AssetFetcher(URLFetcher):
    def __init__(self, allowed: list[str]):
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=True)
        self.allowed = [os.path.realpath(a) for a in allowed]
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        try:
            path = self.check(url)
        except FetchRefused as exc:
            self.refused.append(str(exc))
            raise
        return super().fetch("file://" + path.replace("%", "%25"), headers)

    def check(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme != "file":
            raise FetchRefused(f"PDF 只能使用仓库里的文件，拒绝读取“{url}”")
        path = os.path.realpath(unquote(parts.path))
        if not any(os.path.commonpath([a, path]) == a for a in self.allowed):
            raise FetchRefused(f"PDF 只能使用 content/assets 等仓库目录里的文件，拒绝读取“{unquote(parts.path)}”")
        if not os.path.isfile(path):
            raise FetchRefused(f"文件不存在：{os.path.basename(path)}")
        if path.lower().endswith((".png", ".jpg", ".jpeg", ".gif", ".webp")):
            from PIL import Image
            try:
                with Image.open(path) as img:
                    w, h = img.size
            except Exception:
                raise FetchRefused(f"无法识别的图片：{os.path.basename(path)}") from None
            if w * h > MAX_PIXELS:
                raise FetchRefused(f"图片 {os.path.basename(path)} 有 {w}×{h} 像素，超过上限 {MAX_PIXELS // 1_000_000} 百万像素；"
                                   "请缩小后再提交")
        return path
