package node

import (
	"context"
	"crypto/ecdsa"
	"log/slog"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
)

// funder is a fixed, well-known test key: its address is funded at genesis in every test chain.
var (
	funder, _  = crypto.HexToECDSA("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291")
	funderAddr = crypto.PubkeyToAddress(funder.PublicKey)
	recipient  = common.HexToAddress("0x00000000000000000000000000000000a1d1ed9e")
	oneEther   = big.NewInt(params.Ether)
)

// logEmitterInitCode deploys a contract whose every call emits one anonymous, empty log
// (runtime 0x60006000a000: PUSH1 0 PUSH1 0 LOG0 STOP) — enough to check eth_getLogs without a
// compiler.
var logEmitterInitCode = common.FromHex("0x6006600c60003960066000f3" + "60006000a000")

// storeInitCode deploys a contract that stores the first word of its call data in slot 0
// (runtime 0x60003560005500: PUSH1 0 CALLDATALOAD PUSH1 0 SSTORE STOP).
var storeInitCode = common.FromHex("0x6007600c60003960076000f3" + "60003560005500")

// startNode starts a node on cfg, filling in a temporary DataDir, the funder's genesis balance
// and a test logger, and closes it when the test ends.
func startNode(t *testing.T, cfg Config) *Node {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.Alloc == nil {
		cfg.Alloc = Fund(funderAddr)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	}
	begin := time.Now()
	n, err := Start(cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("node started in %s", time.Since(begin))
	t.Cleanup(func() {
		if err := n.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return n
}

// sendTx signs and sends a dynamic-fee transaction from key carrying the tip the node mines.
// A nil to deploys data as a contract.
func sendTx(ctx context.Context, c *ethclient.Client, key *ecdsa.PrivateKey, to *common.Address, value *big.Int, data []byte, gas uint64) (*types.Transaction, error) {
	from := crypto.PubkeyToAddress(key.PublicKey)
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	nonce, err := c.PendingNonceAt(ctx, from)
	if err != nil {
		return nil, err
	}
	head, err := c.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, err
	}
	tip := SuggestedTip()
	feeCap := new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), tip)
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{
		ChainID: chainID, Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap, Gas: gas,
		To: to, Value: value, Data: data,
	})
	if err != nil {
		return nil, err
	}
	return tx, c.SendTransaction(ctx, tx)
}

// mustMine sends a transaction and waits for its successful receipt.
func mustMine(t *testing.T, c *ethclient.Client, to *common.Address, value *big.Int, data []byte, gas uint64) *types.Receipt {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	tx, err := sendTx(ctx, c, funder, to, value, data, gas)
	if err != nil {
		t.Fatalf("send tx: %v", err)
	}
	r, err := WaitReceipt(ctx, c, tx.Hash())
	if err != nil {
		t.Fatalf("receipt of %s: %v", tx.Hash(), err)
	}
	if r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("tx %s failed", tx.Hash())
	}
	return r
}

// balance returns addr's balance at the head.
func balance(t *testing.T, c *ethclient.Client, addr common.Address) *big.Int {
	t.Helper()
	b, err := c.BalanceAt(t.Context(), addr, nil)
	if err != nil {
		t.Fatalf("balance of %s: %v", addr, err)
	}
	return b
}
