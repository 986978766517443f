package api

import (
	"context"
	"net/http"
	"sort"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/aidledger/aidledger/server/apierr"
)

type healthResponse struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

// GET /healthz: the process is up.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, healthResponse{Status: "ok"})
}

// GET /readyz: the database and the chain answer.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	res := healthResponse{Status: "ok", Checks: map[string]string{}}
	names := make([]string, 0, len(s.deps.Checks))
	for n := range s.deps.Checks {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := s.deps.Checks[n](ctx); err != nil {
			res.Status, res.Checks[n] = "unavailable", "unreachable"
			s.log.Warn("readiness check failed", "check", n, "err", err)
		} else {
			res.Checks[n] = "ok"
		}
	}
	if res.Status != "ok" {
		return c.JSON(http.StatusServiceUnavailable, res)
	}
	return c.JSON(http.StatusOK, res)
}

// GET /metrics
func (s *Server) metrics(c echo.Context) error {
	s.deps.Metrics.handler().ServeHTTP(c.Response(), c.Request())
	return nil
}

func asAPIErr(err error) (int, bool) {
	if e, ok := apierr.As(err); ok {
		return e.Status, true
	}
	return 0, false
}
