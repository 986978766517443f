// Package web holds the static browser apps (vendor, enroll, admin, transparency), embedded into
// the aidledger binary. Plain HTML, CSS and ES modules: no bundler, no node at build or run time.
// Third-party browser libraries are vendored into static/vendor by scripts/vendor-web.sh.
package web

import (
	"embed"
	"io/fs"
)

//go:embed index.html sw.js vendor enroll admin transparency balance static
var files embed.FS

// FS is the web root: "index.html" is the landing page, "vendor/index.html",
// "enroll/index.html", "admin/index.html", "transparency/index.html" and "balance/index.html" (a
// card holder's own balance) are the apps, and
// "static/..." holds the shared JS, CSS, translations and vendored libraries, and "sw.js" is the
// service worker that keeps them for use without a connection (its file list filled in when
// served).
func FS() fs.FS { return files }
