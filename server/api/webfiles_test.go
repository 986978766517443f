package api

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/aidledger/aidledger/web"
)

func webServer(t *testing.T, fsys fs.FS) http.Handler {
	t.Helper()
	return New(Deps{Services: Services{Web: fsys}}).Handler()
}

// appsFS is a web root with a page for every app, and files (which may replace a page).
func appsFS(files map[string][]byte) fstest.MapFS {
	fsys := fstest.MapFS{}
	for _, page := range webApps {
		fsys[page] = &fstest.MapFile{Data: []byte("<!doctype html>")}
	}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: data}
	}
	return fsys
}

func get(t *testing.T, h http.Handler, path string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	return out
}

func TestWebFiles_AreGzippedForClientsThatTakeItAndRevalidateWithA304(t *testing.T) {
	script := []byte(strings.Repeat("export const greeting = 'marhaba';\n", 200))
	png := []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("\x00\x01\x02\x03", 64))
	fsys := appsFS(map[string][]byte{
		"vendor/index.html": []byte("<!doctype html>" + strings.Repeat("<p>shop</p>", 100)),
		"static/js/app.js":  script,
		"static/img/qr.png": png,
		"static/js/tiny.js": []byte("x"),
	})
	h := webServer(t, fsys)

	tests := []struct {
		name, path, acceptEncoding string
		wantGzip                   bool
		wantType                   string
		want                       []byte
	}{
		{"a script, to a browser", "/static/js/app.js", "gzip, deflate, br", true, "text/javascript; charset=utf-8", script},
		{"a script, to a client without gzip", "/static/js/app.js", "", false, "text/javascript; charset=utf-8", script},
		{"a script, to a client that refuses gzip", "/static/js/app.js", "gzip;q=0, *", false, "text/javascript; charset=utf-8", script},
		{"a script, to a client that takes anything", "/static/js/app.js", "*", true, "text/javascript; charset=utf-8", script},
		{"an app's page", "/vendor", "gzip", true, "text/html; charset=utf-8", fsys["vendor/index.html"].Data},
		{"an image, compressed already", "/static/img/qr.png", "gzip", false, "image/png", png},
		{"a file too small to gain", "/static/js/tiny.js", "gzip", false, "text/javascript; charset=utf-8", []byte("x")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, h, tc.path, "Accept-Encoding", tc.acceptEncoding)
			if r.Code != http.StatusOK {
				t.Fatalf("status %d, want 200", r.Code)
			}
			if got := r.Header().Get("Content-Type"); got != tc.wantType {
				t.Errorf("Content-Type %q, want %q", got, tc.wantType)
			}
			if got := r.Header().Get("Cache-Control"); got != "no-cache" {
				t.Errorf("Cache-Control %q, want no-cache", got)
			}
			body := r.Body.Bytes()
			if got := r.Header().Get("Content-Length"); got != strconv.Itoa(len(body)) {
				t.Errorf("Content-Length %q for %d bytes", got, len(body))
			}
			if gz := r.Header().Get("Content-Encoding") == "gzip"; gz != tc.wantGzip {
				t.Fatalf("gzipped: %v, want %v", gz, tc.wantGzip)
			} else if gz {
				if len(body) >= len(tc.want) {
					t.Errorf("gzipped %d bytes into %d", len(tc.want), len(body))
				}
				body = gunzip(t, body)
			}
			if !bytes.Equal(body, tc.want) {
				t.Errorf("body differs from the file (%d bytes, want %d)", len(body), len(tc.want))
			}
			etag := r.Header().Get("ETag")
			if !strings.HasPrefix(etag, `"`) {
				t.Fatalf("ETag %q: want a strong one", etag)
			}
			// The reload: the browser sends back what it has.
			again := get(t, h, tc.path, "Accept-Encoding", tc.acceptEncoding, "If-None-Match", etag)
			if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
				t.Errorf("revalidation: %d with %d bytes, want 304 and none", again.Code, again.Body.Len())
			}
			if got := again.Header().Get("ETag"); got != etag {
				t.Errorf("304's ETag %q, want %q", got, etag)
			}
			if got := again.Header().Get("Content-Encoding"); got != "" {
				t.Errorf("304 with Content-Encoding %q", got)
			}
		})
	}

	t.Run("the plain and the gzipped bodies have different ETags", func(t *testing.T) {
		plain := get(t, h, "/static/js/app.js").Header().Get("ETag")
		zipped := get(t, h, "/static/js/app.js", "Accept-Encoding", "gzip").Header().Get("ETag")
		if plain == zipped {
			t.Fatalf("both %s", plain)
		}
		if r := get(t, h, "/static/js/app.js", "If-None-Match", zipped); r.Code != http.StatusOK {
			t.Errorf("a plain request with the gzipped ETag: %d, want 200 (its copy is of the other body)", r.Code)
		}
		if vary := get(t, h, "/static/js/app.js").Header().Get("Vary"); !strings.Contains(vary, "Accept-Encoding") {
			t.Errorf("Vary %q: caches must key on Accept-Encoding", vary)
		}
	})
	t.Run("another file's ETag does not revalidate this one", func(t *testing.T) {
		other := get(t, h, "/vendor", "Accept-Encoding", "gzip").Header().Get("ETag")
		if r := get(t, h, "/static/js/app.js", "Accept-Encoding", "gzip", "If-None-Match", other); r.Code != http.StatusOK {
			t.Errorf("status %d, want 200", r.Code)
		}
	})
	t.Run("a missing file is a JSON 404", func(t *testing.T) {
		r := get(t, h, "/static/js/missing.js", "Accept-Encoding", "gzip")
		if r.Code != http.StatusNotFound || !strings.Contains(r.Body.String(), `"not_found"`) {
			t.Errorf("%d %s", r.Code, r.Body)
		}
	})
}

// The real apps: every shared file comes in under half its size and revalidates with a 304.
func TestWebFiles_TheAppsComeInUnderHalfTheirSizeAndRevalidate(t *testing.T) {
	h := webServer(t, web.FS())
	paths := []string{"/vendor", "/enroll", "/admin", "/transparency", "/static/css/app.css", "/static/i18n/en.js", "/static/i18n/ar.js", "/static/vendor/jsqr/jsQR.js"}
	entries, err := fs.ReadDir(web.FS(), "static/js")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		paths = append(paths, "/static/js/"+e.Name())
	}
	var size, sent int
	for _, p := range paths {
		r := get(t, h, p, "Accept-Encoding", "gzip")
		if r.Code != http.StatusOK {
			t.Fatalf("%s: %d", p, r.Code)
		}
		body := r.Body.Bytes()
		sent += len(body)
		if r.Header().Get("Content-Encoding") == "gzip" {
			body = gunzip(t, body)
		}
		size += len(body)
		if again := get(t, h, p, "Accept-Encoding", "gzip", "If-None-Match", r.Header().Get("ETag")); again.Code != http.StatusNotModified {
			t.Errorf("%s reloaded: %d, want 304", p, again.Code)
		}
	}
	if sent*2 > size {
		t.Errorf("sent %d bytes for %d of files; want under half", sent, size)
	}
	t.Logf("the apps' pages, scripts, translations, styles and the QR library: %d bytes of files, %d sent gzipped", size, sent)
}

func TestEtagListed(t *testing.T) {
	const tag = `"abc"`
	for header, want := range map[string]bool{
		"":                 false,
		`"abc"`:            true,
		`W/"abc"`:          true,
		`"old", "abc"`:     true,
		`"old","abc"`:      true,
		"*":                true,
		`"abc-gz"`:         false,
		`"ab"`:             false,
		`abc`:              false,
		`"old", W/"other"`: false,
	} {
		if got := etagListed(header, tag); got != want {
			t.Errorf("etagListed(%q, %s) = %v, want %v", header, tag, got, want)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"":                     false,
		"gzip":                 true,
		"GZIP":                 true,
		"x-gzip":               true,
		"deflate, gzip;q=1.0":  true,
		"gzip;q=0":             false,
		"gzip; q=0.0, deflate": false,
		"br, deflate":          false,
		"*":                    true,
		"*;q=0":                false,
		"gzip;q=0, *":          false,
		"identity, gzip;q=0.5": true,
		"gzip;q=nonsense":      true,
	} {
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

func TestServiceWorker_ListsTheAppsFilesAndChangesVersionWithAnyOfThem(t *testing.T) {
	sw := []byte("const VERSION = '__VERSION__';\nconst FILES = __FILES__;\n")
	apps := func(script string) fstest.MapFS {
		return appsFS(map[string][]byte{
			"sw.js":                      sw,
			"static/js/vendor.js":        []byte(script),
			"static/css/app.css":         []byte("body{}"),
			"static/vendor/jsqr/LICENSE": []byte("licence"),
		})
	}
	serve := func(fsys fs.FS) (version string, files []string) {
		t.Helper()
		r := get(t, webServer(t, fsys), "/sw.js")
		if r.Code != http.StatusOK || r.Header().Get("Content-Type") != "text/javascript; charset=utf-8" {
			t.Fatalf("/sw.js: %d %q", r.Code, r.Header().Get("Content-Type"))
		}
		src := r.Body.String()
		if strings.Contains(src, "__") {
			t.Fatalf("placeholders left in %q", src)
		}
		v, rest, _ := strings.Cut(strings.TrimPrefix(src, "const VERSION = '"), "';\nconst FILES = ")
		list, _, _ := strings.Cut(rest, ";\n")
		if err := json.Unmarshal([]byte(list), &files); err != nil {
			t.Fatalf("FILES %q: %v", list, err)
		}
		return v, files
	}
	v1, files := serve(apps("export const v = 1;"))
	want := []string{"/", "/admin", "/balance", "/enroll", "/static/css/app.css", "/static/js/vendor.js", "/transparency", "/vendor"}
	if !slices.Equal(files, want) {
		t.Errorf("FILES %v, want %v (pages, scripts and styles; no licences)", files, want)
	}
	if v1b, _ := serve(apps("export const v = 1;")); v1b != v1 {
		t.Errorf("the same files gave versions %s and %s", v1, v1b)
	}
	if v2, _ := serve(apps("export const v = 2;")); v2 == v1 {
		t.Errorf("one script changed, the version stayed %s: phones would keep the old copy", v1)
	}

	broken := apps("")
	broken["sw.js"] = &fstest.MapFile{Data: []byte("const FILES = [];")}
	if r := get(t, webServer(t, broken), "/sw.js"); r.Code != http.StatusInternalServerError {
		t.Errorf("a worker without placeholders: %d, want 500 rather than a worker that keeps nothing", r.Code)
	}
}
