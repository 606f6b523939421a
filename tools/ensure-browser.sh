#!/usr/bin/env bash
# Install Debian's chromium for the browser tests where we can (root + apt); never a browser
# download of a test tool's own. The browser tests skip loudly when no browser is found.
set -u
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ratenet: installing Debian's chromium for the browser tests (apt-get)..." >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
    >/tmp/ratenet-chromium-install.log 2>&1 \
    || echo "ratenet: could not install chromium (see /tmp/ratenet-chromium-install.log)" >&2
else
  echo "ratenet: no chromium and no root/apt-get: browser tests will be skipped" >&2
fi
exit 0
