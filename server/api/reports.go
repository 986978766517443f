package api

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/aidledger/aidledger/server/report"
)

// summaryResponse is the public summary plus where anyone can read the chain to check it.
type summaryResponse struct {
	report.Summary
	// RPCURL is a JSON-RPC endpoint of the chain for `aidledger verify`, when the operator
	// publishes one.
	RPCURL string `json:"rpc_url,omitempty"`
}

// GET /api/v1/reports/summary
func (s *Server) reportSummary(c echo.Context) error {
	sum, err := s.deps.Reports.Summary(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, summaryResponse{Summary: sum, RPCURL: s.deps.PublicRPC})
}

// GET /api/v1/reports/programs/:id?group_by=&from=&to=&format=csv
func (s *Server) programReport(c echo.Context) error {
	from, to, err := timeRange(c)
	if err != nil {
		return err
	}
	groupBy := c.QueryParam("group_by")
	if groupBy == "" {
		groupBy = report.ByVendor
	}
	r, err := s.deps.Reports.ProgramReport(c.Request().Context(), c.Param("id"), groupBy, from, to)
	if err != nil {
		return err
	}
	if c.QueryParam("format") == "csv" {
		startCSV(c, "program-report-"+groupBy+".csv")
		return report.WriteCSV(c.Response(), r)
	}
	return c.JSON(http.StatusOK, r)
}

// GET /api/v1/reports/transactions?program_id=&page=&page_size= or ?program_id=&after=&page_size=
// (by cursor: the next_after of the previous page). Without either, the first page. With
// format=csv, every transaction in one file, whatever the paging parameters.
func (s *Server) reportTransactions(c echo.Context) error {
	if c.QueryParam("format") == "csv" {
		return s.reportTransactionsCSV(c)
	}
	page, size, err := pageParams(c)
	if err != nil {
		return err
	}
	after := c.QueryParam("after")
	if after == "" && c.QueryParam("page") == "" {
		page = 1
	}
	p, err := s.deps.Reports.Transactions(c.Request().Context(), report.TransactionQuery{
		ProgramID: c.QueryParam("program_id"), Page: page, PageSize: size, After: after,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) reportTransactionsCSV(c echo.Context) error {
	programID := c.QueryParam("program_id")
	name := "transactions.csv"
	if programID != "" {
		name = "transactions-" + programID + ".csv"
	}
	return s.streamCSV(c, name, func(w io.Writer) error {
		return s.deps.Reports.WriteTransactionsCSV(c.Request().Context(), w, programID)
	})
}

// streamCSV sends what write writes as a CSV download named name. An error before the first
// byte is the usual JSON error; after it the status is gone, so the body is cut short and the
// client sees a broken download, not a file that looks whole.
func (s *Server) streamCSV(c echo.Context, name string, write func(io.Writer) error) error {
	w := &lazyCSV{c: c, name: name}
	if err := write(w); err != nil {
		if !w.started {
			return err
		}
		s.log.Warn("csv download cut short", "file", name, "err", err) // often the client going away
		panic(http.ErrAbortHandler)
	}
	if !w.started {
		startCSV(c, w.name)
	}
	return nil
}

// lazyCSV sends a CSV download's headers with its first bytes, so that an error found before
// them can still be answered as JSON.
type lazyCSV struct {
	c       echo.Context
	name    string
	started bool
}

func (l *lazyCSV) Write(p []byte) (int, error) {
	if !l.started {
		startCSV(l.c, l.name)
		l.started = true
	}
	return l.c.Response().Write(p)
}

// startCSV sends the status and headers of a CSV download named name.
func startCSV(c echo.Context, name string) {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	c.Response().WriteHeader(http.StatusOK)
}

// GET /api/v1/reports/stream: server-sent events, one "indexed" event each time new chain events
// are indexed ({"as_of_block":N}), and a comment every 20 s to keep proxies from closing the line.
func (s *Server) reportStream(c echo.Context) error {
	if s.deps.Indexed == nil {
		return c.NoContent(http.StatusNoContent)
	}
	blocks, unsubscribe := s.deps.Indexed()
	defer unsubscribe()
	w := c.Response()
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n\n")
	w.Flush()
	keepAlive := time.NewTicker(20 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case <-c.Request().Context().Done():
			return nil
		case b := <-blocks:
			fmt.Fprintf(w, "event: indexed\ndata: {\"as_of_block\":%d}\n\n", b)
			w.Flush()
		case <-keepAlive.C:
			fmt.Fprint(w, ": keep-alive\n\n")
			w.Flush()
		}
	}
}
