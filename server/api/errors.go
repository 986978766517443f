package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/aidledger/aidledger/server/apierr"
)

type errorBody struct {
	Error *apierr.Error `json:"error"`
}

// handleError is Echo's error handler: every error leaves as {"error":{"code","message"}} with
// its status. Errors that are not client errors are logged with the request id and answered with a
// generic 500, so no internal detail (SQL, file paths, personal data) reaches the client.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	e, ok := apierr.As(err)
	if !ok {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			e = fromEcho(he)
		} else {
			s.log.Error("request failed", "method", c.Request().Method, "route", c.Path(),
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err)
			e = apierr.New(http.StatusInternalServerError, "internal_error", "something went wrong on our side; the request id is in the X-Request-Id header")
		}
	}
	var werr error
	if c.Request().Method == http.MethodHead {
		werr = c.NoContent(e.Status)
	} else {
		werr = c.JSON(e.Status, errorBody{Error: e})
	}
	if werr != nil {
		s.log.Warn("write error response", "err", werr)
	}
}

func fromEcho(he *echo.HTTPError) *apierr.Error {
	switch he.Code {
	case http.StatusNotFound:
		return apierr.ErrNotFound.Withf("no such route")
	case http.StatusMethodNotAllowed:
		return apierr.New(http.StatusMethodNotAllowed, "method_not_allowed", "this route does not take that method")
	case http.StatusRequestEntityTooLarge:
		return apierr.ErrTooLarge
	case http.StatusUnsupportedMediaType:
		return apierr.ErrUnsupportedMedia
	case http.StatusUnauthorized:
		return apierr.ErrUnauthorized
	case http.StatusForbidden:
		return apierr.ErrForbidden
	case http.StatusTooManyRequests:
		return apierr.ErrTooManyAttempts
	}
	if he.Code >= 400 && he.Code < 500 {
		return apierr.New(he.Code, "bad_request", http.StatusText(he.Code))
	}
	slog.Default().Error("unexpected HTTP error", "status", he.Code, "err", he.Internal)
	return apierr.New(http.StatusInternalServerError, "internal_error", "something went wrong on our side")
}
