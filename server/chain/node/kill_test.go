package node

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// childDataDirEnv switches the test binary into the kill -9 child: a node on that datadir that
// mines a few transactions, reports its head on stdout and waits to be killed.
const childDataDirEnv = "AIDLEDGER_NODE_KILL_CHILD_DATADIR"

// childTransfers is how many ether transfers to recipient the child mines.
const childTransfers = 3

func TestMain(m *testing.M) {
	if dir := os.Getenv(childDataDirEnv); dir != "" {
		os.Exit(runKillChild(dir))
	}
	os.Exit(m.Run())
}

// runKillChild is the child process of TestKill9_KeepsMinedBlocks. It prints
// "HEAD <number> <hash> <emitter>" once every transaction has a receipt, then blocks.
func runKillChild(dir string) int {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	n, err := Start(Config{DataDir: dir, Alloc: Fund(funderAddr), Logger: logger})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: start:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := n.Client()
	mine := func(to *common.Address, value *big.Int, data []byte, gas uint64) (*types.Receipt, error) {
		tx, err := sendTx(ctx, c, funder, to, value, data, gas)
		if err != nil {
			return nil, err
		}
		return WaitReceipt(ctx, c, tx.Hash())
	}
	for range childTransfers {
		if _, err := mine(&recipient, oneEther, nil, 21_000); err != nil {
			fmt.Fprintln(os.Stderr, "child: transfer:", err)
			return 1
		}
	}
	deploy, err := mine(nil, nil, logEmitterInitCode, 100_000)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: deploy:", err)
		return 1
	}
	if _, err := mine(&deploy.ContractAddress, nil, nil, 50_000); err != nil {
		fmt.Fprintln(os.Stderr, "child: call:", err)
		return 1
	}
	head, err := c.HeaderByNumber(ctx, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: head:", err)
		return 1
	}
	fmt.Printf("HEAD %d %s %s\n", head.Number, head.Hash(), deploy.ContractAddress)
	select {} // until SIGKILL; Close is never called
}

// TestKill9_KeepsMinedBlocks proves the storage configuration survives a crash: a child
// process mines transactions and is killed with SIGKILL (no Close, no flush, no journal), and
// a node started on its datadir afterwards must hold the same head block, the balances and
// the contract with its logs.
func TestKill9_KeepsMinedBlocks(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childDataDirEnv+"="+dir)
	cmd.Stderr = t.Output()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()

	var number uint64
	var hash, emitter string
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the child's head: %v (line %q)", err, line)
	}
	if _, err := fmt.Sscanf(line, "HEAD %d %s %s", &number, &hash, &emitter); err != nil {
		t.Fatalf("child printed %q: %v", line, err)
	}
	t.Logf("child mined up to block %d %s", number, hash)

	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("SIGKILL: %v", err)
	}
	killed = true
	go io.Copy(io.Discard, stdout) //nolint:errcheck // drain so Wait returns
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child did not die of SIGKILL: %v", err)
	}

	n := startNode(t, Config{DataDir: dir})
	assertChainKept(t, n, new(big.Int).SetUint64(number), common.HexToHash(hash), common.HexToAddress(emitter), childTransfers)
	// The recovered chain keeps mining on top of the old head.
	r := mustMine(t, n.Client(), &recipient, oneEther, nil, 21_000)
	if r.BlockNumber.Uint64() <= number {
		t.Errorf("new tx in block %s, want after %d", r.BlockNumber, number)
	}
}
