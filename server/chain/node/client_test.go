package node

import (
	"encoding/json"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rpc"
)

// The direct reads must be indistinguishable from JSON-RPC's: the pipeline and the indexer were
// written against JSON-RPC answers, and run against a remote node's too.
func TestBackend_AnswersTheHotReadsAsJSONRPCDoes(t *testing.T) {
	n := startNode(t, Config{})
	rpcClient, direct := n.Client(), n.Backend()
	ctx := t.Context()

	emitter := mustMine(t, rpcClient, nil, nil, logEmitterInitCode, 200_000).ContractAddress
	var mined []common.Hash
	for range 3 {
		mined = append(mined, mustMine(t, rpcClient, &emitter, nil, nil, 100_000).TxHash)
	}
	head, err := rpcClient.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}

	same := func(t *testing.T, what string, viaRPC, viaNode any, rpcErr, nodeErr error) {
		t.Helper()
		if (rpcErr == nil) != (nodeErr == nil) || (rpcErr != nil && errors.Is(rpcErr, ethereum.NotFound) != errors.Is(nodeErr, ethereum.NotFound)) {
			t.Fatalf("%s: JSON-RPC error %v, direct error %v", what, rpcErr, nodeErr)
		}
		a, _ := json.Marshal(viaRPC)
		b, _ := json.Marshal(viaNode)
		if string(a) != string(b) {
			t.Fatalf("%s differs:\nJSON-RPC %s\ndirect   %s", what, a, b)
		}
	}
	t.Run("the head's number", func(t *testing.T) {
		got, err := direct.BlockNumber(ctx)
		same(t, "block number", head, got, nil, err)
	})
	for _, number := range []*big.Int{nil, big.NewInt(0), new(big.Int).SetUint64(head), new(big.Int).SetUint64(head + 5)} {
		t.Run("the header at "+number.String(), func(t *testing.T) {
			a, errA := rpcClient.HeaderByNumber(ctx, number)
			b, errB := direct.HeaderByNumber(ctx, number)
			same(t, "header", a, b, errA, errB)
		})
	}
	for i, hash := range append(mined, common.Hash{0xde, 0xad}) {
		t.Run("a receipt, "+[]string{"first", "second", "third", "unknown"}[i], func(t *testing.T) {
			a, errA := rpcClient.TransactionReceipt(ctx, hash)
			b, errB := direct.TransactionReceipt(ctx, hash)
			same(t, "receipt", a, b, errA, errB)
		})
	}
	last, err := rpcClient.TransactionReceipt(ctx, mined[len(mined)-1])
	if err != nil {
		t.Fatal(err)
	}
	for name, at := range map[string]rpc.BlockNumberOrHash{
		"by canonical hash":  rpc.BlockNumberOrHashWithHash(last.BlockHash, true),
		"by number":          rpc.BlockNumberOrHashWithNumber(rpc.BlockNumber(last.BlockNumber.Int64())),
		"of an empty block":  rpc.BlockNumberOrHashWithNumber(0),
		"beyond the head":    rpc.BlockNumberOrHashWithNumber(rpc.BlockNumber(head + 5)),
		"of an unknown hash": rpc.BlockNumberOrHashWithHash(common.Hash{0xbe, 0xef}, false),
	} {
		t.Run("block receipts "+name, func(t *testing.T) {
			a, errA := rpcClient.BlockReceipts(ctx, at)
			b, errB := direct.BlockReceipts(ctx, at)
			if len(a) == 0 && len(b) == 0 {
				a, b = nil, nil // an empty block's receipts: [] from JSON, none read directly
			}
			same(t, "block receipts", a, b, errA, errB)
		})
	}
}
