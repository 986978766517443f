package api

import (
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/aidledger/aidledger/server/apierr"
)

// webApps are the browser apps: each path serves its index.html.
var webApps = map[string]string{
	"/": "index.html", "/vendor": "vendor/index.html", "/enroll": "enroll/index.html",
	"/admin": "admin/index.html", "/transparency": "transparency/index.html",
}

// webPage serves one app's index.html. Pages revalidate on every load (no-cache): without
// content hashes in asset names, a stale page could pair with new scripts after an upgrade.
func (s *Server) webPage(file string) echo.HandlerFunc {
	return func(c echo.Context) error {
		b, err := fs.ReadFile(s.deps.Web, file)
		if err != nil {
			return apierr.ErrNotFound
		}
		c.Response().Header().Set("Cache-Control", "no-cache")
		return c.Blob(http.StatusOK, "text/html; charset=utf-8", b)
	}
}

// webStatic serves /static/* from the embedded files.
func (s *Server) webStatic(c echo.Context) error {
	name := path.Clean("static/" + c.Param("*"))
	if !strings.HasPrefix(name, "static/") {
		return apierr.ErrNotFound
	}
	b, err := fs.ReadFile(s.deps.Web, name)
	if err != nil {
		return apierr.ErrNotFound
	}
	ct := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) {
	case ".js", ".mjs":
		ct = "text/javascript; charset=utf-8"
	case "":
		ct = "application/octet-stream"
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, ct, b)
}

func (s *Server) webRoutes() []Route {
	if s.deps.Web == nil {
		return nil
	}
	var rs []Route
	for p, file := range webApps {
		rs = append(rs, Route{Method: http.MethodGet, Path: p, Roles: public, Summary: "web app", Status: 200, Handler: s.webPage(file)})
		if p != "/" {
			rs = append(rs, Route{Method: http.MethodGet, Path: p + "/", Roles: public, Summary: "web app", Status: 200, Handler: s.webPage(file)})
		}
	}
	rs = append(rs, Route{Method: http.MethodGet, Path: "/static/*", Roles: public, Summary: "web app assets", Status: 200, Handler: s.webStatic})
	return rs
}
