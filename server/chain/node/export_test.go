package node

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

func TestExportThenImport_RebuildsTheSameChainThatKeepsMining(t *testing.T) {
	n := startNode(t, Config{})
	c := n.Client()
	mustMine(t, c, &recipient, oneEther, nil, 21_000)
	deploy := mustMine(t, c, nil, nil, logEmitterInitCode, 100_000)
	mustMine(t, c, &deploy.ContractAddress, nil, nil, 50_000)
	head := n.Head()
	genesis, err := n.GenesisSpec()
	if err != nil {
		t.Fatal(err)
	}
	var blocks bytes.Buffer
	if err := n.Export(t.Context(), &blocks, head.Number.Uint64()); err != nil {
		t.Fatalf("Export: %v", err)
	}
	// The source keeps running and mining: the export is a prefix of it.
	mustMine(t, c, &recipient, oneEther, nil, 21_000)

	dir := t.TempDir()
	logger := slog.New(slog.NewTextHandler(t.Output(), nil))
	imported, err := Import(t.Context(), Config{DataDir: dir, Logger: logger}, genesis, bytes.NewReader(blocks.Bytes()))
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if imported.Hash() != head.Hash() {
		t.Fatalf("imported head %d %s, want %d %s", imported.Number, imported.Hash(), head.Number, head.Hash())
	}
	// Start uses the imported genesis (the Alloc given here would make another chain).
	n2 := startNode(t, Config{DataDir: dir, Alloc: Fund(common.HexToAddress("0x1234"))})
	if n2.Genesis() != n.Genesis() {
		t.Errorf("genesis %s after import, want %s", n2.Genesis(), n.Genesis())
	}
	assertChainKept(t, n2, head.Number, head.Hash(), deploy.ContractAddress, 1)
	if r := mustMine(t, n2.Client(), &recipient, oneEther, nil, 21_000); r.BlockNumber.Cmp(head.Number) <= 0 {
		t.Errorf("new tx in block %s, want after %s", r.BlockNumber, head.Number)
	}
}

func TestImport_RefusesBlocksOfAnotherGenesisAndAnExistingChain(t *testing.T) {
	n := startNode(t, Config{})
	mustMine(t, n.Client(), &recipient, oneEther, nil, 21_000)
	var blocks bytes.Buffer
	if err := n.Export(t.Context(), &blocks, n.Head().Number.Uint64()); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(t.Output(), nil))

	other := Genesis(DefaultChainID, Fund(common.HexToAddress("0x1234")))
	_, err := Import(t.Context(), Config{DataDir: t.TempDir(), Logger: logger}, other, bytes.NewReader(blocks.Bytes()))
	if err == nil || !strings.Contains(err.Error(), "not at this genesis") {
		t.Errorf("import onto another genesis: %v, want a refusal", err)
	}

	genesis, err := n.GenesisSpec()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Import(t.Context(), Config{DataDir: n.DataDir(), Logger: logger}, genesis, bytes.NewReader(blocks.Bytes()))
	if err == nil {
		t.Error("import into a datadir in use by a running chain succeeded")
	}
	dir := t.TempDir()
	if _, err := Import(t.Context(), Config{DataDir: dir, Logger: logger}, genesis, bytes.NewReader(blocks.Bytes())); err != nil {
		t.Fatal(err)
	}
	_, err = Import(t.Context(), Config{DataDir: dir, Logger: logger}, genesis, bytes.NewReader(blocks.Bytes()))
	if err == nil || !strings.Contains(err.Error(), "already holds a chain") {
		t.Errorf("import into a datadir with a chain: %v, want a refusal", err)
	}
}
