package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/internal/durable"
	"github.com/aidledger/aidledger/server/internal/threadnice"
)

// ErrRunning refuses a second backup while one is being written.
var ErrRunning = apierr.New(http.StatusConflict, "backup_running", "a backup is being written; wait for it to finish")

// DefaultKeep is how many archives a Service keeps when Config.Keep is 0.
const DefaultKeep = 7

// Config says where archives go and how often.
type Config struct {
	Dir   string        // where archives are written (owner-only)
	Every time.Duration // a backup this often; 0 = only when asked
	Keep  int           // the newest archives kept; 0 = DefaultKeep
	// Passphrase seals the archives (sealed.go); "" writes them in the clear.
	Passphrase string
	// Logger logs each backup's outcome (names and sizes: an archive holds no personal data
	// in the clear, but it does hold the keys to it).
	Logger *slog.Logger
}

// Info is one archive, or the backup being written.
type Info struct {
	Name      string    `json:"name"`
	Status    string    `json:"status"` // running, done, failed
	StartedAt time.Time `json:"started_at"`
	SizeBytes int64     `json:"size_bytes,omitempty"`
	Manifest  *Manifest `json:"manifest,omitempty"`
	Error     string    `json:"error,omitempty"`
}

// List is what GET /api/v1/admin/backups answers.
type List struct {
	Dir string `json:"dir"`
	// Backups are the archives in Dir, newest first, the one being written (if any) first.
	Backups []Info `json:"backups"`
	// LastFailure is the last backup that failed since the server started, if it failed after
	// the newest archive.
	LastFailure *Info `json:"last_failure,omitempty"`
}

// Service writes archives of a running system into a directory, on demand and on a schedule,
// and keeps the newest few.
type Service struct {
	src Source
	cfg Config
	log *slog.Logger

	mu      sync.Mutex
	running *Info
	failed  *Info

	keysMu sync.Mutex
	keys   map[string][]byte // sealed archives' keys by salt

	// ctx ends background backups when Run returns (the system is stopping).
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	lastSuccess prometheus.Gauge
	failures    prometheus.Counter
}

const (
	prefix    = "aidledger-"
	suffix    = ".tar.gz"
	sealedExt = ".sealed" // after suffix
)

// New prepares cfg.Dir.
func New(src Source, cfg Config) (*Service, error) {
	if cfg.Keep <= 0 {
		cfg.Keep = DefaultKeep
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("create backup directory: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{src: src, cfg: cfg, log: cfg.Logger, ctx: ctx, cancel: cancel, keys: map[string][]byte{},
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Name: "aidledger_backup_last_success_timestamp_seconds",
			Help: "When the newest backup in the backup directory was begun (Unix time); 0 = none."}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{Name: "aidledger_backup_failures_total",
			Help: "Backups that failed since the server started."}),
	}
	// From the directory, so that a restart does not look like a missing backup to an alert.
	if m, ok := s.newest(); ok {
		s.lastSuccess.Set(float64(m.CreatedAt.Unix()))
	}
	return s, nil
}

// newest is the manifest of the newest archive in Dir.
func (s *Service) newest() (Manifest, bool) {
	names := s.archives()
	if len(names) == 0 {
		return Manifest{}, false
	}
	m, err := readManifest(filepath.Join(s.cfg.Dir, names[0]), s.opener())
	return m, err == nil
}

// Collectors are the service's metrics.
func (s *Service) Collectors() []prometheus.Collector {
	return []prometheus.Collector{s.lastSuccess, s.failures}
}

// Start begins a backup in the background and returns it as running; ErrRunning if one is.
// It runs until done or until Run returns.
func (s *Service) Start() (Info, error) {
	info, err := s.begin()
	if err != nil {
		return info, err
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.write(s.ctx, info)
	}()
	return info, nil
}

// Create writes a backup and returns it when it is done.
func (s *Service) Create(ctx context.Context) (Info, error) {
	info, err := s.begin()
	if err != nil {
		return info, err
	}
	done := s.write(ctx, info)
	if done.Status != "done" {
		return done, errors.New(done.Error)
	}
	return done, nil
}

func (s *Service) begin() (Info, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running != nil {
		return *s.running, ErrRunning
	}
	now := time.Now().UTC()
	name := prefix + now.Format("20060102T150405.000Z") + suffix
	if s.cfg.Passphrase != "" {
		name += sealedExt
	}
	info := Info{Name: name, Status: "running", StartedAt: now}
	s.running = &info
	return info, nil
}

// write writes the archive under a temporary name, syncs it and renames it into place, so that
// a name in Dir is always a whole archive.
func (s *Service) write(ctx context.Context, info Info) Info {
	path := filepath.Join(s.cfg.Dir, info.Name)
	partial := path + ".partial"
	m, err := s.writeTo(ctx, partial)
	if err == nil {
		err = os.Rename(partial, path)
	}
	if err == nil {
		err = durable.SyncDir(s.cfg.Dir)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.running = nil
	if err != nil {
		_ = os.Remove(partial)
		info.Status, info.Error = "failed", err.Error()
		s.failed = &info
		s.failures.Inc()
		s.log.Error("backup failed", "backup", info.Name, "err", err)
		return info
	}
	info.Status, info.Manifest = "done", &m
	if st, err := os.Stat(path); err == nil {
		info.SizeBytes = st.Size()
	}
	s.failed = nil
	s.lastSuccess.Set(float64(info.StartedAt.Unix()))
	s.log.Info("backup written", "backup", info.Name, "bytes", info.SizeBytes, "chain_head", m.ChainHead,
		"seconds", time.Since(info.StartedAt).Seconds())
	s.prune()
	return info
}

// writeTo writes the archive on a thread of its own at a low priority (backupNice): the
// export, the database copy and the compression run on the goroutine that calls them, and a
// backup must not take the CPU from the shops. The thread ends with the goroutine.
func (s *Service) writeTo(ctx context.Context, path string) (Manifest, error) {
	type result struct {
		m   Manifest
		err error
	}
	done := make(chan result, 1)
	go func() {
		if err := threadnice.RunAtNice(backupNice); err != nil {
			s.log.Debug("backup runs at the server's priority", "err", err)
		}
		m, err := s.writeArchive(ctx, path)
		done <- result{m, err}
	}()
	r := <-done
	return r.m, r.err
}

// backupNice is the nice value of a backup's thread: the lowest priority short of idle.
const backupNice = 19

// writeArchive writes the archive (sealed if there is a passphrase) to path and syncs it.
func (s *Service) writeArchive(ctx context.Context, path string) (Manifest, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return Manifest{}, err
	}
	var w io.Writer = newWriteBehind(f)
	var sealed io.WriteCloser
	if s.cfg.Passphrase != "" {
		if sealed, err = newSealWriter(w, s.keyFor); err != nil {
			return Manifest{}, errors.Join(err, f.Close())
		}
		w = sealed
	}
	m, err := Write(ctx, w, s.src, s.cfg.Dir)
	if err == nil && sealed != nil {
		err = sealed.Close()
	}
	if err == nil {
		err = f.Sync()
	}
	return m, errors.Join(err, f.Close())
}

// opener is how this service opens sealed archives: nil without a passphrase.
func (s *Service) opener() func(salt []byte) []byte {
	if s.cfg.Passphrase == "" {
		return nil
	}
	return s.keyFor
}

// keyFor derives the key of a sealed archive with this salt, once per salt: listing the
// archives would otherwise run argon2id for each of them every time.
func (s *Service) keyFor(salt []byte) []byte {
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	if k, ok := s.keys[string(salt)]; ok {
		return k
	}
	k := sealKey(s.cfg.Passphrase, salt)
	s.keys[string(salt)] = k
	return k
}

// prune removes all but the newest Keep archives. Called with mu held.
func (s *Service) prune() {
	names := s.archives()
	for _, n := range names[min(len(names), s.cfg.Keep):] {
		if err := os.Remove(filepath.Join(s.cfg.Dir, n)); err != nil {
			s.log.Warn("could not remove an old backup", "backup", n, "err", err)
		}
	}
}

// archives lists the archive names in Dir, newest first (names sort by time).
func (s *Service) archives() []string {
	entries, _ := os.ReadDir(s.cfg.Dir)
	var names []string
	for _, e := range entries {
		if n := e.Name(); e.Type().IsRegular() && strings.HasPrefix(n, prefix) && (strings.HasSuffix(n, suffix) || strings.HasSuffix(n, suffix+sealedExt)) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	slices.Reverse(names)
	return names
}

// List returns the archives in Dir, newest first, with their manifests.
func (s *Service) List() List {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := List{Dir: s.cfg.Dir, Backups: []Info{}}
	if s.running != nil {
		l.Backups = append(l.Backups, *s.running)
	}
	for _, n := range s.archives() {
		info := Info{Name: n, Status: "done"}
		path := filepath.Join(s.cfg.Dir, n)
		if st, err := os.Stat(path); err == nil {
			info.SizeBytes = st.Size()
		}
		if m, err := readManifest(path, s.opener()); err == nil {
			info.Manifest, info.StartedAt = &m, m.CreatedAt
		} else {
			info.Status, info.Error = "failed", err.Error()
		}
		l.Backups = append(l.Backups, info)
	}
	l.LastFailure = s.failed
	return l
}

// Run writes a backup every cfg.Every until ctx ends (nothing when Every is 0), then stops a
// backup started by Start and waits for it. The first is due Every after the newest archive in
// Dir (after the start when there is none), so that a server restarted more often than Every
// still writes them.
func (s *Service) Run(ctx context.Context) {
	defer s.wg.Wait()
	defer s.cancel()
	if s.cfg.Every <= 0 {
		<-ctx.Done()
		return
	}
	due := time.Now().Add(s.cfg.Every)
	if m, ok := s.newest(); ok {
		due = m.CreatedAt.Add(s.cfg.Every)
	}
	for {
		t := time.NewTimer(time.Until(due))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if _, err := s.Create(ctx); err != nil && !errors.Is(err, ErrRunning) && ctx.Err() == nil {
			s.log.Warn("scheduled backup failed", "err", err)
		}
		due = time.Now().Add(s.cfg.Every)
	}
}
