package api

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

// webFiles serves the embedded browser apps to phones on slow, metered links. Every file gets a
// strong ETag from its content, so a reload's revalidation (the pages say no-cache: there are no
// content hashes in the assets' names) costs a 304 instead of the whole app again; and text
// files are gzipped once, on first request, and kept, so a first visit costs about 40 % of the
// bytes and no request pays for compression. The files never change while the process runs.
type webFiles struct {
	fsys  fs.FS
	mu    sync.Mutex
	files map[string]*webFile
}

type webFile struct {
	ctype    string
	raw, gz  []byte // gz is nil when compressing does not pay
	etag     string // of raw; the gzipped variant's is etagGzip
	etagGzip string
}

func newWebFiles(fsys fs.FS) *webFiles {
	return &webFiles{fsys: fsys, files: map[string]*webFile{}}
}

// compressible are the extensions worth gzipping: text. Images and fonts are compressed already.
var compressible = map[string]bool{
	".html": true, ".js": true, ".mjs": true, ".css": true, ".json": true, ".svg": true,
	".txt": true, ".md": true, ".map": true,
}

// file loads and prepares one file on first use; an unknown name is fs.ErrNotExist. The work is
// done outside the lock, so that compressing a large library does not hold up other files;
// two first requests at once may both do it, and either result is the same.
func (w *webFiles) file(name string) (*webFile, error) {
	w.mu.Lock()
	f, ok := w.files[name]
	w.mu.Unlock()
	if ok {
		return f, nil
	}
	raw, err := fs.ReadFile(w.fsys, name)
	if err != nil {
		return nil, err
	}
	if name == serviceWorker {
		if raw, err = w.fillServiceWorker(raw); err != nil {
			return nil, err
		}
	}
	f = newWebFile(name, raw)
	w.mu.Lock()
	w.files[name] = f
	w.mu.Unlock()
	return f, nil
}

func newWebFile(name string, raw []byte) *webFile {
	sum := sha256.Sum256(raw)
	tag := hex.EncodeToString(sum[:12])
	f := &webFile{ctype: contentType(name), raw: raw, etag: `"` + tag + `"`, etagGzip: `"` + tag + `-gz"`}
	if compressible[path.Ext(name)] {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
		_, _ = zw.Write(raw)                                     // a bytes.Buffer does not fail
		_ = zw.Close()
		// Below ~10 % saved, the client's inflating costs more than the bytes.
		if buf.Len() < len(raw)*9/10 {
			f.gz = buf.Bytes()
		}
	}
	return f
}

func contentType(name string) string {
	switch ext := path.Ext(name); ext {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case "":
		return "application/octet-stream"
	default:
		if ct := mime.TypeByExtension(ext); ct != "" {
			return ct
		}
		return "application/octet-stream"
	}
}

// serve writes f for req: gzipped when the client takes it, or a 304 when the client's copy is
// current. No ranges: the files are small, and a range of a gzipped body helps no browser.
func (f *webFile) serve(w http.ResponseWriter, req *http.Request) {
	h := w.Header()
	// Revalidate on every load: without content hashes in the assets' names a stale page could
	// pair with new scripts after an upgrade. A revalidation is a 304 of a few hundred bytes.
	h.Set("Cache-Control", "no-cache")
	body, tag, gzipped := f.raw, f.etag, false
	if f.gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(req.Header.Get("Accept-Encoding")) {
			body, tag, gzipped = f.gz, f.etagGzip, true
		}
	}
	h.Set("ETag", tag)
	if etagListed(req.Header.Get("If-None-Match"), tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", f.ctype)
	if gzipped {
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if req.Method != http.MethodHead {
		_, _ = w.Write(body) // the client gone is nothing to report
	}
}

// etagListed reports whether an If-None-Match header names tag or is "*". The comparison is
// weak, as RFC 9110 asks of If-None-Match: a W/ prefix does not matter.
func etagListed(header, tag string) bool {
	for part := range strings.SplitSeq(header, ",") {
		part = strings.TrimPrefix(strings.TrimSpace(part), "W/")
		if part == "*" || part == tag {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether an Accept-Encoding header takes gzip: listed (or x-gzip) with a
// q above 0, or not listed and covered by a "*" above 0.
func acceptsGzip(header string) bool {
	gzipQ, starQ := -1.0, -1.0
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if x, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = x
				}
			}
		}
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			gzipQ = max(gzipQ, q)
		case "*":
			starQ = max(starQ, q)
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}
