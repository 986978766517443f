package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/chain/chaintest"
	"github.com/aidledger/aidledger/server/chain/ledger"
)

// ledgerChain deploys the ledger on a simulated chain, Keys[0] holding every role, and returns a
// function that sends calldata to it.
func ledgerChain(t *testing.T) (*chaintest.Chain, common.Address, func(data []byte)) {
	t.Helper()
	c := chaintest.Simulated(t, 1)
	addr, tx, err := ledger.Deploy(t.Context(), c.Client, c.Keys[0], c.ChainID, c.Addr(0))
	if err != nil {
		t.Fatal(err)
	}
	c.Mine(t)
	c.Receipt(t, tx.Hash())
	for _, role := range []common.Hash{ledger.RoleProgramManager, ledger.RoleOperator, ledger.RoleSettler} {
		tx, err := ledger.GrantRole(t.Context(), c.Client, c.Keys[0], c.ChainID, addr, role, c.Addr(0))
		if err != nil {
			t.Fatal(err)
		}
		c.Mine(t)
		c.Receipt(t, tx.Hash())
	}
	return c, addr, func(data []byte) { c.MustTransact(t, c.Keys[0], addr, data) }
}

// rpcOverHTTP serves the three JSON-RPC methods `verify` uses (eth_blockNumber, eth_getLogs,
// eth_call) over HTTP from the simulated chain, as a node does.
func rpcOverHTTP(t *testing.T, c *chaintest.Chain) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ID     json.RawMessage   `json:"id"`
			Method string            `json:"method"`
			Params []json.RawMessage `json:"params"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		result, err := serveRPC(r.Context(), c, req.Method, req.Params)
		resp := map[string]any{"jsonrpc": "2.0", "id": req.ID}
		if err != nil {
			resp["error"] = map[string]any{"code": -32000, "message": err.Error()}
		} else {
			resp["result"] = result
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func serveRPC(ctx context.Context, c *chaintest.Chain, method string, params []json.RawMessage) (any, error) {
	block := func(raw json.RawMessage) (*big.Int, error) {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		if s == "latest" || s == "" {
			return nil, nil
		}
		n, err := hexutil.DecodeUint64(s)
		return new(big.Int).SetUint64(n), err
	}
	switch method {
	case "eth_blockNumber":
		n, err := c.Client.BlockNumber(ctx)
		return hexutil.Uint64(n), err
	case "eth_getLogs":
		var f struct {
			FromBlock json.RawMessage `json:"fromBlock"`
			ToBlock   json.RawMessage `json:"toBlock"`
			Address   json.RawMessage `json:"address"`
		}
		if err := json.Unmarshal(params[0], &f); err != nil {
			return nil, err
		}
		var q ethereum.FilterQuery
		var err error
		if q.FromBlock, err = block(f.FromBlock); err != nil {
			return nil, err
		}
		if q.ToBlock, err = block(f.ToBlock); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(f.Address, &q.Addresses); err != nil {
			var one common.Address
			if err := json.Unmarshal(f.Address, &one); err != nil {
				return nil, err
			}
			q.Addresses = []common.Address{one}
		}
		return c.Client.FilterLogs(ctx, q)
	case "eth_call":
		var m struct {
			To    *common.Address `json:"to"`
			Data  hexutil.Bytes   `json:"data"`
			Input hexutil.Bytes   `json:"input"`
		}
		if err := json.Unmarshal(params[0], &m); err != nil {
			return nil, err
		}
		at, err := block(params[1])
		if err != nil {
			return nil, err
		}
		data := m.Input
		if len(data) == 0 {
			data = m.Data
		}
		out, err := c.Client.CallContract(ctx, ethereum.CallMsg{To: m.To, Data: data}, at)
		return hexutil.Bytes(out), err
	}
	return nil, fmt.Errorf("method %s not served", method)
}

func TestVerifyCommand_PassesThenFailsOnAWrongAPIFigure(t *testing.T) {
	c, contract, transact := ledgerChain(t)
	abi := aidledger.NewAidLedger()
	shop, card := common.HexToAddress("0xa1"), [32]byte{0xca}
	transact(abi.PackApproveVendor(shop))
	transact(abi.PackCreateProgram(4))
	transact(abi.PackFund(4, big.NewInt(900), [32]byte{}))
	transact(abi.PackAllocate(4, 1, [][32]byte{card}, []*big.Int{big.NewInt(600)}))
	transact(abi.PackRedeemBatch(4, []aidledger.AidLedgerRedeemItem{
		{Beneficiary: card, Vendor: shop, Amount: big.NewInt(250), Seq: 0, Ref: [32]byte{1}},
		{Beneficiary: card, Vendor: shop, Amount: big.NewInt(5000), Seq: 1, Ref: [32]byte{2}},
	}))
	transact(abi.PackSettle(4, shop, big.NewInt(100), [32]byte{}))
	transact(abi.PackExpire(4, [][32]byte{card}))
	rpcURL := rpcOverHTTP(t, c)

	head, err := c.Client.BlockNumber(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	redeemed := int64(250)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"as_of_block": head, "programs": []map[string]any{{
			"id": "p4", "chain_program_id": 4, "funded": 900, "allocated": 600, "redeemed": redeemed, "settled": 100,
			"expired": 350, "outstanding": 0, "beneficiaries": 1, "vendors": 1, "redemptions": 1,
		}}})
	}))
	defer api.Close()

	run := func() (string, error) {
		cmd := verifyCmd()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs([]string{"--eth-rpc", rpcURL, "--contract", contract.Hex(), "--api", api.URL, "--from-block", "0", "--range", "4"})
		err := cmd.Execute()
		return out.String(), err
	}
	out, err := run()
	if err != nil {
		t.Fatalf("verify failed on an honest chain and API: %v\n%s", err, out)
	}
	if !strings.Contains(out, "OK: 1 programs") {
		t.Errorf("output:\n%s", out)
	}

	redeemed = 260 // the API now reports a figure the chain does not have
	out, err = run()
	if err == nil {
		t.Fatalf("verify passed with a wrong API figure:\n%s", out)
	}
	var diffLine string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "DIFF") {
			diffLine = l
		}
	}
	if f := strings.Fields(diffLine); len(f) != 6 || f[1] != "redeemed" || f[2] != "250" || f[3] != "250" || f[4] != "260" {
		t.Errorf("diff line %q in\n%s", diffLine, out)
	}
	t.Logf("verify output:\n%s", out)
}
