package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
)

// serviceWorker is the apps' service worker (web/sw.js), served at /sw.js so that its scope is
// the whole origin.
const serviceWorker = "sw.js"

// offlineExts are the static files the service worker keeps: what the apps need to start, and
// their icon. Licences and notes are not.
var offlineExts = map[string]bool{".js": true, ".css": true, ".svg": true}

// fillServiceWorker writes into sw.js the URLs it keeps for offline use (the apps' pages and
// their static files) and a version: a hash of those files, so that any change to one is a new
// worker, and browsers fetch the new set.
func (w *webFiles) fillServiceWorker(src []byte) ([]byte, error) {
	files := map[string]string{} // URL path → file in w.fsys
	for url, file := range webApps {
		files[url] = file
	}
	err := fs.WalkDir(w.fsys, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && offlineExts[path.Ext(name)] {
			files["/"+name] = name
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("service worker: list files: %w", err)
	}
	urls := make([]string, 0, len(files))
	for url := range files {
		urls = append(urls, url)
	}
	slices.Sort(urls)
	h := sha256.New()
	for _, url := range urls {
		b, err := fs.ReadFile(w.fsys, files[url])
		if err != nil {
			return nil, fmt.Errorf("service worker: %w", err)
		}
		sum := sha256.Sum256(b)
		fmt.Fprintf(h, "%s %x\n", url, sum)
	}
	list, err := json.Marshal(urls)
	if err != nil {
		return nil, fmt.Errorf("service worker: %w", err)
	}
	version := hex.EncodeToString(h.Sum(nil)[:8])
	if !bytes.Contains(src, []byte("'__VERSION__'")) || !bytes.Contains(src, []byte("__FILES__;")) {
		return nil, fmt.Errorf("service worker: %s has no __VERSION__ or __FILES__ to fill in", serviceWorker)
	}
	src = bytes.Replace(src, []byte("'__VERSION__'"), []byte("'"+version+"'"), 1)
	return bytes.Replace(src, []byte("__FILES__;"), append(list, ';'), 1), nil
}
