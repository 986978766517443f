package chaintest

import (
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
)

// Geth starts `geth --dev` from gethPath on a loopback port with a temporary datadir, funds
// nKeys test keys from the dev account, and stops the process when t ends. The node mines each
// transaction as it arrives (--dev.period 0).
func Geth(t testing.TB, gethPath string, nKeys int) *Chain {
	t.Helper()
	dir := t.TempDir()
	port := FreePort(t)
	logPath := filepath.Join(dir, "geth.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(gethPath,
		"--dev", "--dev.period", "0",
		"--datadir", filepath.Join(dir, "data"),
		"--http", "--http.addr", "127.0.0.1", "--http.port", strconv.Itoa(port),
		"--http.api", "eth,net,web3,debug,txpool",
		"--nodiscover", "--maxpeers", "0", "--port", "0", "--authrpc.port", "0",
		"--ipcdisable",
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("start geth: %v", err)
	}
	started := time.Now()
	// One goroutine owns Wait: both start-up polling and cleanup watch this channel.
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		// geth installs its signal handler during start-up; a signal that arrives earlier kills
		// it without flushing, and can leave a half-written datadir behind.
		if d := time.Second - time.Since(started); d > 0 {
			time.Sleep(d)
		}
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		_ = logFile.Close()
		if t.Failed() {
			if b, err := os.ReadFile(logPath); err == nil {
				t.Logf("geth log (tail):\n%s", tail(b, 4000))
			}
		}
	})

	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	rc := waitRPC(t, url, exited)
	t.Cleanup(rc.Close)
	client := ethclient.NewClient(rc)
	chainID, err := client.ChainID(ctx(t))
	if err != nil {
		t.Fatalf("geth chain id: %v", err)
	}
	keys := testKeys(nKeys)
	fundFromDevAccount(t, rc, client, keys)
	return &Chain{Name: "geth", Client: client, Keys: keys, ChainID: chainID, URL: url}
}

// waitRPC polls until geth answers eth_chainId, failing early if the process exits.
func waitRPC(t testing.TB, url string, exited <-chan struct{}) *rpc.Client {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatalf("geth exited during start-up")
		default:
		}
		rc, err := rpc.Dial(url)
		if err == nil {
			var id hexutil.Big
			if err = rc.CallContext(ctx(t), &id, "eth_chainId"); err == nil {
				return rc
			}
			rc.Close()
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("geth did not answer on %s within 30s", url)
	return nil
}

// FundFromDevAccount gives each key ether from the dev account of the `geth --dev` serving
// JSON-RPC at url, for tests that start geth themselves (a restartable one, say).
func FundFromDevAccount(t testing.TB, url string, keys ...*ecdsa.PrivateKey) {
	t.Helper()
	rc, err := rpc.Dial(url)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	defer rc.Close()
	fundFromDevAccount(t, rc, ethclient.NewClient(rc), keys)
}

// fundFromDevAccount sends ether from the dev account (created and unlocked by --dev) to every
// key, then waits for all the transfers.
func fundFromDevAccount(t testing.TB, rc *rpc.Client, client *ethclient.Client, keys []*ecdsa.PrivateKey) {
	t.Helper()
	var accounts []common.Address
	if err := rc.CallContext(ctx(t), &accounts, "eth_accounts"); err != nil || len(accounts) == 0 {
		t.Fatalf("geth dev account: %v (accounts %v)", err, accounts)
	}
	amount := new(big.Int).Mul(big.NewInt(1_000_000), big.NewInt(1e18)) // gas is the only use of ether here
	// Nonces are assigned here: geth's pending nonce lags behind transactions sent back to back,
	// which would make the second transfer a "replacement" of the first.
	var nonce hexutil.Uint64
	if err := rc.CallContext(ctx(t), &nonce, "eth_getTransactionCount", accounts[0], "pending"); err != nil {
		t.Fatalf("dev account nonce: %v", err)
	}
	hashes := make([]common.Hash, len(keys))
	for i, k := range keys {
		tx := map[string]any{
			"nonce": nonce + hexutil.Uint64(i),
			"from":  accounts[0],
			"to":    crypto.PubkeyToAddress(k.PublicKey),
			"value": (*hexutil.Big)(amount),
		}
		if err := rc.CallContext(ctx(t), &hashes[i], "eth_sendTransaction", tx); err != nil {
			t.Fatalf("fund test key %d: %v", i, err)
		}
	}
	c := &Chain{Client: client}
	for _, h := range hashes {
		if r := c.Receipt(t, h); r.Status != 1 {
			t.Fatalf("funding transaction %s failed", h)
		}
	}
}

// FreePort finds a loopback port nobody listens on right now.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		b = b[len(b)-n:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return b
}
