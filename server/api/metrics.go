package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/procfs"
)

// Metrics is the Prometheus registry of one server.
type Metrics struct {
	reg      *prometheus.Registry
	duration *prometheus.HistogramVec
	// auditLost counts audit records that could not be written: an operator alerts on it.
	auditLost prometheus.Counter
}

// NewMetrics registers HTTP metrics plus, when given, the pipeline's queue depth and the
// indexer's lag in blocks (read at scrape time).
func NewMetrics(queueDepth func(context.Context) (int64, error), indexLag func() uint64) *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{reg: reg, duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "aidledger_http_request_duration_seconds",
		Help:    "HTTP request latency by route, method and status.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method", "status"})}
	reg.MustRegister(m.duration)
	m.auditLost = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "aidledger_audit_records_lost_total",
		Help: "Successful staff actions whose audit record could not be written.",
	})
	reg.MustRegister(m.auditLost)
	// The process collector's resident memory is the current figure; a server's budget is about
	// its peak, and a burst (an import, a wave of logins) can come and go between two scrapes.
	if self, err := procfs.Self(); err == nil {
		if _, err := self.NewStatus(); err == nil {
			reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "aidledger_process_peak_resident_memory_bytes",
				Help: "Highest resident memory of the process since it started (VmHWM).",
			}, func() float64 {
				st, err := self.NewStatus()
				if err != nil {
					return -1
				}
				return float64(st.VmHWM)
			}))
		}
	}
	if queueDepth != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "aidledger_pipeline_queue_depth", Help: "Chain intents not yet final (pending or submitted).",
		}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			n, err := queueDepth(ctx)
			if err != nil {
				return -1
			}
			return float64(n)
		}))
	}
	if indexLag != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "aidledger_indexer_lag_blocks", Help: "Blocks between the chain head and the last indexed block.",
		}, func() float64 { return float64(indexLag()) }))
	}
	return m
}

// Register adds a collector (the reconciliation counter, say).
func (m *Metrics) Register(c prometheus.Collector) { m.reg.MustRegister(c) }

func (m *Metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := c.Response().Status
		if err != nil {
			// The error handler has not run yet; take the status it will write.
			if he, ok := err.(*echo.HTTPError); ok {
				status = he.Code
			} else if e, ok := asAPIErr(err); ok {
				status = e
			} else {
				status = http.StatusInternalServerError
			}
		}
		route := c.Path() // the pattern, never the raw URL: ids must not become labels
		if route == "" {
			route = "unmatched"
		}
		m.duration.WithLabelValues(route, c.Request().Method, strconv.Itoa(status)).Observe(time.Since(start).Seconds())
		return err
	}
}

func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
