package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/aidledger/aidledger/server/audit"
	"github.com/aidledger/aidledger/server/spreadsheet"
)

// audited records a route's successful calls in the audit log: who did Route.Audit to which
// record. The record is the route's :id, else the id in the answer (a creation), else the caller
// (their own account). A PATCH records the names of the fields it changed, never their values.
// It sits closest to the handler, so an Idempotency-Key replay is not recorded twice.
func (s *Server) audited(action string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			detail := ""
			if c.Request().Method == http.MethodPatch {
				detail = changedFields(c)
			}
			subject := c.Param("id")
			var answer *capped
			if subject == "" {
				answer = &capped{ResponseWriter: c.Response().Writer}
				c.Response().Writer = answer
			}
			err := next(c)
			if answer != nil {
				c.Response().Writer = answer.ResponseWriter
			}
			if err != nil || c.Response().Status >= 300 {
				return err
			}
			if subject == "" {
				subject = idIn(answer.buf.Bytes())
			}
			if subject == "" {
				subject = actor(c)
			}
			if d, ok := c.Get(auditDetailKey).(string); ok && d != "" {
				detail = d
			}
			s.record(c, audit.Event{Actor: actor(c), Action: action, Subject: subject, Detail: detail})
			return nil
		}
	}
}

// auditDetailKey is where a handler leaves the detail of its audit event (setAuditDetail),
// for the facts the route's path and answer do not carry.
const auditDetailKey = "audit.detail"

// setAuditDetail gives the call's audit event a detail. Never personal data: the audit log is
// read by every admin and kept after an erasure.
func setAuditDetail(c echo.Context, detail string) { c.Set(auditDetailKey, detail) }

// record writes events of a call that succeeded. The work is done and answered: a failure to
// record it is logged and counted, not turned into an error the caller would retry.
func (s *Server) record(c echo.Context, events ...audit.Event) {
	if s.deps.Audit == nil || len(events) == 0 {
		return
	}
	if err := s.deps.Audit.RecordAll(context.WithoutCancel(c.Request().Context()), events); err != nil {
		s.log.Error("audit record lost", "action", events[0].Action, "records", len(events), "err", err)
		s.deps.Metrics.auditLost.Add(float64(len(events)))
	}
}

// changedFields reads a PATCH body's top-level field names and puts the body back.
func changedFields(c echo.Context) string {
	body, err := io.ReadAll(c.Request().Body)
	c.Request().Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return ""
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return ""
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	slices.Sort(names)
	return "fields: " + strings.Join(names, ", ")
}

// idIn is the "id" of a JSON answer.
func idIn(body []byte) string {
	var v struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(body, &v)
	return v.ID
}

// capped keeps the first 64 KiB of an answer (a creation's is small) while passing it on.
type capped struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (w *capped) Write(b []byte) (int, error) {
	if room := 64<<10 - w.buf.Len(); room > 0 {
		w.buf.Write(b[:min(len(b), room)])
	}
	return w.ResponseWriter.Write(b)
}

func (w *capped) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// GET /api/v1/admin/audit; format=csv: every matching event in one file, for an auditor.
func (s *Server) listAudit(c echo.Context) error {
	f := audit.Filter{Actor: c.QueryParam("actor"), Subject: c.QueryParam("subject"), Action: c.QueryParam("action")}
	if c.QueryParam("format") == "csv" {
		return s.auditCSV(c, f)
	}
	pg, err := cursorPage(c)
	if err != nil {
		return err
	}
	f.After, f.Limit = pg.After, pg.Limit
	p, err := s.deps.Audit.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// auditCSV writes the events newest first, page by page, with each actor's login beside their id.
func (s *Server) auditCSV(c echo.Context, f audit.Filter) error {
	ctx := c.Request().Context()
	email, err := s.emails(ctx)
	if err != nil {
		return err
	}
	return s.streamCSV(c, "audit.csv", func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write([]string{"time", "actor", "actor_email", "action", "subject", "detail"}); err != nil {
			return err
		}
		for f.Limit = 500; ; {
			p, err := s.deps.Audit.List(ctx, f)
			if err != nil {
				return err
			}
			for _, e := range p.Events {
				if err := cw.Write([]string{e.At.Format(time.RFC3339Nano), e.Actor, spreadsheet.Text(email[e.Actor]), e.Action,
					e.Subject, spreadsheet.Text(e.Detail)}); err != nil {
					return err
				}
			}
			if p.NextAfter == "" {
				break
			}
			f.After = p.NextAfter
		}
		cw.Flush()
		return cw.Error()
	})
}

// historyEvent is an audit event with its actor's login, for staff who cannot list users.
type historyEvent struct {
	audit.Event
	ActorEmail string `json:"actor_email,omitempty"`
}

type history struct {
	Events    []historyEvent `json:"events"`
	NextAfter string         `json:"next_after,omitempty"`
}

// GET /api/v1/beneficiaries/:id/history: who did what to this record, for the staff who answer a
// beneficiary's "who changed my phone number?".
func (s *Server) beneficiaryHistory(c echo.Context) error {
	ctx := c.Request().Context()
	if _, err := s.deps.Enroll.Get(ctx, c.Param("id")); err != nil {
		return err
	}
	pg, err := cursorPage(c)
	if err != nil {
		return err
	}
	p, err := s.deps.Audit.List(ctx, audit.Filter{Subject: c.Param("id"), After: pg.After, Limit: pg.Limit})
	if err != nil {
		return err
	}
	email, err := s.emails(ctx)
	if err != nil {
		return err
	}
	out := history{Events: make([]historyEvent, len(p.Events)), NextAfter: p.NextAfter}
	for i, e := range p.Events {
		out.Events[i] = historyEvent{Event: e, ActorEmail: email[e.Actor]}
	}
	return c.JSON(http.StatusOK, out)
}

// emails maps user ids to logins, to show people as their colleagues know them. Staff accounts
// are a few hundred at most.
func (s *Server) emails(ctx context.Context) (map[string]string, error) {
	users, err := s.deps.Auth.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	email := make(map[string]string, len(users))
	for _, u := range users {
		email[u.ID] = u.Email
	}
	return email, nil
}
