package crashtest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aidledger/aidledger/server/app/apptest"
	"github.com/aidledger/aidledger/server/chain/chaintest"

	"github.com/ethereum/go-ethereum/common"
)

// binary builds ./cmd/aidledger once per test process.
var binary = struct {
	once sync.Once
	dir  string
	path string
	err  error
}{}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary.dir != "" {
		_ = os.RemoveAll(binary.dir)
	}
	os.Exit(code)
}

// aidledgerBinary returns the path of a freshly built aidledger binary.
func aidledgerBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		binary.dir, binary.err = os.MkdirTemp("", "aidledger-crashtest-")
		if binary.err != nil {
			return
		}
		binary.path = filepath.Join(binary.dir, "aidledger")
		if binary.err = apptest.TrackSources(filepath.Join("..", "..")); binary.err != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", binary.path, "github.com/aidledger/aidledger/cmd/aidledger")
		out, err := cmd.CombinedOutput()
		if err != nil {
			binary.err = fmt.Errorf("go build ./cmd/aidledger: %v\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

// server is one `aidledger serve` process, restartable on the same data directory and ports.
type server struct {
	t       *testing.T
	bin     string
	args    []string // serve flags, without --demo
	env     []string
	DataDir string
	Addr    string // API host:port
	RPC     string // the chain JSON-RPC URL (embedded chain or the external node)
	BaseURL string

	logPath string
	logFile *os.File

	mu       sync.Mutex
	cmd      *exec.Cmd
	exited   chan struct{}
	starts   int
	Contract common.Address
}

// newServer prepares (does not start) a server on dataDir with fresh ports. extra are more serve
// flags (e.g. --db, --eth-rpc); rpcURL, if not empty, is the external chain's URL, otherwise the
// embedded chain is exposed on its own port.
func newServer(t *testing.T, dataDir, rpcURL string, env []string, extra ...string) *server {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", chaintest.FreePort(t))
	args := []string{"serve", "--data-dir", dataDir, "--addr", addr}
	if rpcURL == "" {
		rpcAddr := fmt.Sprintf("127.0.0.1:%d", chaintest.FreePort(t))
		args = append(args, "--rpc-addr", rpcAddr)
		rpcURL = "http://" + rpcAddr
	}
	args = append(args, extra...)
	logPath := filepath.Join(t.TempDir(), "server.log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, bin: aidledgerBinary(t), args: args, DataDir: dataDir, env: env, Addr: addr, RPC: rpcURL,
		BaseURL: "http://" + addr, logPath: logPath, logFile: f}
	t.Cleanup(func() {
		s.kill()
		if t.Failed() {
			t.Logf("aidledger log (tail, %s):\n%s", logPath, s.logTail(8000))
		}
		_ = f.Close()
	})
	return s
}

var contractRE = regexp.MustCompile(`ledger contract: (0x[0-9a-fA-F]{40})`)

// start runs the server (with --demo if demo) and waits until it printed its banner and /readyz
// answers 200. It returns what the process wrote during this start.
func (s *server) start(demo bool) string {
	s.t.Helper()
	st, err := os.Stat(s.logPath)
	if err != nil {
		s.t.Fatal(err)
	}
	offset := st.Size()
	args := append([]string(nil), s.args...)
	if demo {
		args = append(args, "--demo")
	}
	cmd := exec.Command(s.bin, args...)
	cmd.Env = append(os.Environ(), s.env...)
	cmd.Stdout, cmd.Stderr = s.logFile, s.logFile
	fmt.Fprintf(s.logFile, "\n===== crashtest: start #%d: %s %s\n", s.starts+1, s.bin, strings.Join(args, " "))
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start aidledger: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.starts++
	s.mu.Unlock()

	deadline := time.Now().Add(3 * time.Minute)
	var out string
	for {
		select {
		case <-exited:
			s.t.Fatalf("aidledger exited during start-up (%v); log tail:\n%s", cmd.ProcessState, s.logTail(6000))
		default:
		}
		out = s.logSince(offset)
		if strings.Contains(out, "aidledger is running") && s.ready() {
			break
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("aidledger did not become ready within 3 minutes; log tail:\n%s", s.logTail(6000))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if m := contractRE.FindStringSubmatch(out); m != nil {
		c := common.HexToAddress(m[1])
		if s.Contract != (common.Address{}) && s.Contract != c {
			s.t.Fatalf("the ledger contract changed across restarts: %s then %s", s.Contract.Hex(), c.Hex())
		}
		s.Contract = c
	} else {
		s.t.Fatalf("no ledger contract in the banner:\n%s", out)
	}
	return out
}

// ready reports whether GET /readyz answers 200.
func (s *server) ready() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.BaseURL+"/readyz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// kill9 sends SIGKILL and waits for the process to be gone.
func (s *server) kill9() {
	s.t.Helper()
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	fmt.Fprintf(s.logFile, "\n===== crashtest: kill -9 pid %d at %s\n", cmd.Process.Pid, time.Now().Format(time.RFC3339Nano))
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-exited
}

// kill stops the process if it runs: SIGTERM, then SIGKILL after 20s. For cleanup.
func (s *server) kill() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	select {
	case <-exited:
		return
	default:
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
}

func (s *server) logSince(offset int64) string {
	b, err := os.ReadFile(s.logPath)
	if err != nil || int64(len(b)) < offset {
		return ""
	}
	return string(b[offset:])
}

func (s *server) logTail(n int) string {
	b, _ := os.ReadFile(s.logPath)
	return tail(b, n)
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return string(b)
}

// verify runs `aidledger verify` against the chain and the API until it exits 0 (the API's
// figures come from indexed events and may lag the chain by a moment), or fails after a while.
func (s *server) verify(t *testing.T) string {
	t.Helper()
	var out []byte
	var err error
	for i := 0; i < 20; i++ {
		cmd := exec.Command(s.bin, "verify", "--eth-rpc", s.RPC, "--contract", s.Contract.Hex(), "--api", s.BaseURL, "--timeout", "2m")
		out, err = cmd.CombinedOutput()
		if err == nil {
			return string(out)
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("aidledger verify failed 20 times; last (%v):\n%s", err, out)
	return ""
}
