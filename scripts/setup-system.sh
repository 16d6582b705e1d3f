#!/usr/bin/env bash
# Install the Debian packages kanwu needs: CJK fonts for the PDFs, poppler for
# reading PDFs back in tests, Chromium for browser tests, nginx and openssl for the
# served-site tests (real TLS), and PDFBox Preflight with a Java runtime, the PDF/A validator
# Debian packages (the tests check the archive PDFs with it), and LibreOffice Writer (old .doc/.wps
# files converted for kanwu import; the tests read kanwu's .docx back through it). Maps the font
# names of the office's Word documents to the free faces (fontconfig). Works as root, or
# through sudo otherwise. Extracts the FandolFang (仿宋) face from
# texlive-lang-chinese without installing that package's dependencies.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

pkgs="fonts-noto-cjk fonts-arphic-gkai00mp poppler-utils chromium fontconfig nginx-light apache2-utils openssl
      openjdk-17-jre-headless libpdfbox2-java libactivation-java libjaxb-api-java libreoffice-writer-nogui"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
command -v npm >/dev/null || missing="$missing nodejs npm"  # the web form's bundle comes from npm
if [ -n "$missing" ]; then
  echo "安装系统软件包：$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

fontdir=/usr/local/share/fonts/kanwu
if [ ! -f "$fontdir/FandolFang-Regular.otf" ]; then
  echo "提取 FandolFang 仿宋字体（来自 texlive-lang-chinese）"
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download texlive-lang-chinese >/dev/null 2>&1 || { $SUDO apt-get update -qq; apt-get download texlive-lang-chinese; })
  dpkg-deb -x "$tmp"/texlive-lang-chinese_*.deb "$tmp/x"
  src=$(find "$tmp/x" -name 'FandolFang-Regular.otf' | head -1)
  $SUDO mkdir -p "$fontdir"
  $SUDO cp "$src" "$fontdir/"
  rm -rf "$tmp"
  $SUDO fc-cache -f "$fontdir" >/dev/null
fi

conf=/etc/fonts/conf.d/09-kanwu-word-fonts.conf
if ! cmp -s "$here/scripts/fontconfig/kanwu-word-fonts.conf" "$conf"; then
  echo "字体别名：仿宋_GB2312、方正小标宋简体、楷体_GB2312、黑体 → 本机的免费字体"
  $SUDO cp "$here/scripts/fontconfig/kanwu-word-fonts.conf" "$conf"
  $SUDO fc-cache -f >/dev/null
fi

# Decap CMS (the units' web form) and decap-server (its local backend, for trying the form and
# for the tests): from the npm registry, pinned (the bundle by its registry checksum, the server
# and its dependencies by scripts/npm/package-lock.json), under .venv/share/kanwu (no CDN at run time).
share="$here/.venv/share/kanwu"
decap=3.16.3
decap_sha512=85ff9d3e50a1ed32665a5f3ee954731d839686b8b9c605249eb65b0dec1a59ee2cf41ef127c3d0ba0a7640779295d3142b36afebecf4a08a7051885424362d63
if [ ! -f "$share/decap-cms/decap-cms.js" ] || [ "$(cat "$share/decap-cms/VERSION" 2>/dev/null)" != "$decap" ]; then
  echo "安装 Decap CMS $decap（网页报送表单）"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "decap-cms@$decap" >/dev/null)
  if [ "$(sha512sum "$tmp/decap-cms-$decap.tgz" | cut -d' ' -f1)" != "$decap_sha512" ]; then
    echo "错误：下载的 decap-cms-$decap.tgz 校验值不符，未安装" >&2; rm -rf "$tmp"; exit 1
  fi
  tar xzf "$tmp/decap-cms-$decap.tgz" -C "$tmp"
  rm -rf "$share/decap-cms"; mkdir -p "$share/decap-cms"
  cp "$tmp"/package/dist/decap-cms.js "$tmp"/package/dist/*.decap-cms.js "$tmp"/package/package.json "$share/decap-cms/"
  echo "$decap" > "$share/decap-cms/VERSION"
  rm -rf "$tmp"
fi
if ! cmp -s "$here/scripts/npm/package-lock.json" "$share/decap-server/package-lock.json" \
   || [ ! -f "$share/decap-server/node_modules/decap-server/dist/index.js" ]; then
  echo "安装 decap-server（表单的本机后端，版本见 scripts/npm/package-lock.json）"
  rm -rf "$share/decap-server"; mkdir -p "$share/decap-server"
  cp "$here/scripts/npm/package.json" "$here/scripts/npm/package-lock.json" "$share/decap-server/"
  (cd "$share/decap-server" && npm ci --silent --no-audit --no-fund >/dev/null)
fi
