package api

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/aidledger/aidledger/server/apierr"
)

// webApps are the browser apps: each path serves its index.html.
var webApps = map[string]string{
	"/": "index.html", "/vendor": "vendor/index.html", "/enroll": "enroll/index.html",
	"/admin": "admin/index.html", "/transparency": "transparency/index.html", "/balance": "balance/index.html",
}

// webPage serves one app's index.html.
func (s *Server) webPage(file string) echo.HandlerFunc {
	return func(c echo.Context) error { return s.serveWebFile(c, file) }
}

// webStatic serves /static/* from the embedded files.
func (s *Server) webStatic(c echo.Context) error {
	name := path.Clean("static/" + c.Param("*"))
	if !strings.HasPrefix(name, "static/") {
		return apierr.ErrNotFound
	}
	return s.serveWebFile(c, name)
}

func (s *Server) serveWebFile(c echo.Context, name string) error {
	f, err := s.web.file(name)
	if errors.Is(err, fs.ErrNotExist) {
		return apierr.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("web file %s: %w", name, err) // a broken build: a 500, logged
	}
	f.serve(c.Response(), c.Request())
	return nil
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
	rs = append(rs, Route{Method: http.MethodGet, Path: "/" + serviceWorker, Roles: public, Summary: "the web apps' service worker (their files for offline use)", Status: 200, Handler: func(c echo.Context) error { return s.serveWebFile(c, serviceWorker) }})
	rs = append(rs, Route{Method: http.MethodGet, Path: "/static/*", Roles: public, Summary: "web app assets", Status: 200, Handler: s.webStatic})
	return rs
}
