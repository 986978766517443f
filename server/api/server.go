// Package api is aidledger's HTTP API (Echo): authentication, role checks from one route table,
// strict JSON input, errors as {"error":{"code","message"}}, idempotent POSTs, health and
// Prometheus metrics. Handlers are thin: decode, call a service, encode.
package api

import (
	"compress/gzip"
	"context"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/audit"
	"github.com/aidledger/aidledger/server/auth"
)

// Route is one line of the route table: the single place that says who may call what.
type Route struct {
	Method  string
	Path    string      // Echo syntax: /api/v1/programs/:id
	Roles   []auth.Role // nil: public
	Summary string
	// Request and Response are zero values of the body types, for the OpenAPI document.
	Request  any
	Response any
	Status   int // success status
	// BodyLimit overrides the default request body limit (e.g. "64M" for CSV uploads).
	BodyLimit string
	// OwnIdempotency: the service itself makes Idempotency-Key exactly-once (the money path,
	// atomically with its own rows); the generic replay cache stays out of its way.
	OwnIdempotency bool
	// Secret: the answer carries tokens, which the replay cache would keep in the database in
	// the clear (refresh tokens are stored only as hashes); an Idempotency-Key is ignored.
	Secret bool
	// Audit names the action that the audit log records for each successful call
	// (beneficiary.update); empty: not recorded.
	Audit string
	// Uncompressed keeps an API GET's answer out of gzip: a stream, whose events must not wait
	// in a buffer, or a body compressed already (PNG).
	Uncompressed bool
	Handler      echo.HandlerFunc
}

// Deps are what the API calls into. A nil service leaves its routes unregistered.
type Deps struct {
	DB      *gorm.DB
	Auth    *auth.Service
	Checks  map[string]func(context.Context) error // readiness checks by name ("database", "chain")
	Metrics *Metrics
	Logger  *slog.Logger
	Audit   *audit.Log // nil: nothing is recorded and the audit log's route is not served
	// TrustedProxies: requests from these addresses name their client in X-Forwarded-For (the
	// rightmost address that is not a trusted proxy). Empty: the client is the connection's peer.
	TrustedProxies []*net.IPNet
	// DefaultBodyLimit for JSON requests; "1M".
	DefaultBodyLimit string
	Services
}

// Server is the API.
type Server struct {
	deps   Deps
	echo   *echo.Echo
	log    *slog.Logger
	routes []Route
	web    *webFiles // the browser apps' files; nil without Deps.Web
}

// New builds the API with every route of the table registered.
func New(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.DefaultBodyLimit == "" {
		d.DefaultBodyLimit = "1M"
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics(nil, nil)
	}
	s := &Server{deps: d, log: d.Logger.With("component", "api")}
	if d.Web != nil {
		s.web = newWebFiles(d.Web)
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = clientAddress(d.TrustedProxies)
	e.Use(middleware.RequestID())
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		s.log.Error("panic in handler", "route", c.Path(), "err", err, "stack", string(stack))
		return err
	}}))
	e.Use(securityHeaders)
	e.Use(d.Metrics.middleware)
	s.echo = e
	s.routes = s.table()
	for _, r := range s.routes {
		s.register(r)
	}
	return s
}

// Handler is the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.echo }

// Echo exposes the router, for tests that walk the registered routes.
func (s *Server) Echo() *echo.Echo { return s.echo }

// Routes is the route table as registered.
func (s *Server) Routes() []Route { return s.routes }

func (s *Server) register(r Route) {
	var mw []echo.MiddlewareFunc
	limit := s.deps.DefaultBodyLimit
	if r.BodyLimit != "" {
		limit = r.BodyLimit
	}
	mw = append(mw, middleware.BodyLimit(limit))
	if r.Roles != nil {
		mw = append(mw, s.authenticate, requireRole(r.Roles))
	} else {
		mw = append(mw, s.optionalAuth)
	}
	if r.Method == http.MethodPost && !r.OwnIdempotency && !r.Secret {
		mw = append(mw, s.idempotent)
	}
	if r.Method == http.MethodGet && strings.HasPrefix(r.Path, "/api/") && !r.Uncompressed {
		mw = append(mw, gzipAnswer)
	}
	if r.Audit != "" && s.deps.Audit != nil {
		mw = append(mw, s.audited(r.Audit))
	}
	s.echo.Add(r.Method, r.Path, r.Handler, mw...)
}

// gzipAnswer compresses an API read's answer for clients that take it, from one TCP packet's
// worth up: lists and reports shrink four to seven times (a page of 100 transactions, 44 KB, goes
// as 7 KB), which an aid worker's phone on a camp's link feels. Writes are left alone: their
// answers are small, and the redemption path's CPU is what the benchmarks measure.
var gzipAnswer = middleware.GzipWithConfig(middleware.GzipConfig{
	Level:     gzip.DefaultCompression,
	MinLength: 1400,
	Skipper:   func(c echo.Context) bool { return !acceptsGzip(c.Request().Header.Get(echo.HeaderAcceptEncoding)) },
})

const claimsKey = "claims"

func bearer(c echo.Context) string {
	h := c.Request().Header.Get(echo.HeaderAuthorization)
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		tok := bearer(c)
		if tok == "" {
			return apierr.ErrUnauthorized
		}
		cl, err := s.deps.Auth.Verify(tok)
		if err != nil {
			return err
		}
		c.Set(claimsKey, cl)
		return next(c)
	}
}

// optionalAuth reads a token on public routes when one is sent (a donor's view may say more),
// and ignores a bad one: the route is public either way.
func (s *Server) optionalAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if tok := bearer(c); tok != "" && s.deps.Auth != nil {
			if cl, err := s.deps.Auth.Verify(tok); err == nil {
				c.Set(claimsKey, cl)
			}
		}
		return next(c)
	}
}

func requireRole(roles []auth.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if cl := claimsOf(c); cl == nil || !slices.Contains(roles, cl.Role) {
				return apierr.ErrForbidden
			}
			return next(c)
		}
	}
}

// claimsOf is the caller's verified token, or nil on a public route without one.
func claimsOf(c echo.Context) *auth.Claims {
	cl, _ := c.Get(claimsKey).(*auth.Claims)
	return cl
}

// actor names the caller for audit records.
func actor(c echo.Context) string {
	if cl := claimsOf(c); cl != nil {
		return cl.Subject
	}
	return "anonymous"
}

// securityHeaders: no inline scripts, no framing, no MIME sniffing, no referrer leaking ids.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "+
			"media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
		strictTransport(c.Request(), h)
		if strings.HasPrefix(c.Request().URL.Path, "/api/") {
			h.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

// Shutdown stops accepting and waits for in-flight requests.
func (s *Server) Shutdown(ctx context.Context) error { return s.echo.Shutdown(ctx) }

// Serve listens on addr until Shutdown.
func (s *Server) Serve(addr string) error {
	s.echo.Server.ReadHeaderTimeout = 10 * time.Second
	s.echo.Server.IdleTimeout = 2 * time.Minute
	return s.echo.Start(addr)
}

// clientAddress finds the client of a request, which the login lock-out counts failures by. By
// default it is the connection's peer, never a header anyone can set: the lock-out would be
// trivial to dodge. Behind reverse proxies that everyone reaches the server through, the peer is
// the proxy for everyone, and ten failed logins anywhere would lock every phone out; those
// proxies, and only those, are trusted to name the client in X-Forwarded-For.
func clientAddress(proxies []*net.IPNet) echo.IPExtractor {
	if len(proxies) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range proxies {
		opts = append(opts, echo.TrustIPRange(p))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
