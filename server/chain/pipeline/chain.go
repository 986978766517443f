package pipeline

import (
	"context"
	"fmt"
	"math/big"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/chain/ledger"
)

var (
	ledgerABI    = aidledger.NewAidLedger()
	ledgerEvents = ledgerABI.GetABI().Events
)

// Backend is the part of an Ethereum client the pipeline uses; *ethclient.Client and the
// simulated backend's client both provide it.
type Backend interface {
	ethereum.TransactionSender
	ethereum.ContractCaller
	ethereum.LogFilterer
	ethereum.GasEstimator
	TransactionReceipt(ctx context.Context, hash common.Hash) (*types.Receipt, error)
	NonceAt(ctx context.Context, account common.Address, block *big.Int) (uint64, error)
	BlockNumber(ctx context.Context) (uint64, error)
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
}

// Chain is what kinds may read while they settle a receipt.
type Chain struct {
	Client   Backend
	Contract common.Address
}

func (c *Chain) ledgerLogs(logs []*types.Log) []*types.Log {
	out := logs[:0:0]
	for _, l := range logs {
		if l.Address == c.Contract {
			out = append(out, l)
		}
	}
	return out
}

func (c *Chain) entitlement(ctx context.Context, block *big.Int, program uint64, id [32]byte) (aidledger.EntitlementOutput, error) {
	out, err := c.Client.CallContract(ctx, ethereum.CallMsg{To: &c.Contract, Data: ledgerABI.PackEntitlement(program, id)}, block)
	if err != nil {
		return aidledger.EntitlementOutput{}, fmt.Errorf("read entitlement %d/%x: %w", program, id[:4], err)
	}
	return ledgerABI.UnpackEntitlement(out)
}

// revertReason re-executes a reverted transaction's call at its block to learn why it reverted,
// decoded from the ledger's custom errors ("InsufficientFunds(…)"). Best effort: the state it
// runs on lacks the transactions before it in the same block.
func (c *Chain) revertReason(ctx context.Context, from common.Address, tx *types.Transaction, block *big.Int) string {
	msg := ethereum.CallMsg{From: from, To: tx.To(), Gas: tx.Gas(), Data: tx.Data()}
	_, err := c.Client.CallContract(ctx, msg, block)
	if err == nil {
		return "reverted (the call succeeds when re-executed: out of gas or a state change earlier in the block)"
	}
	if data, ok := ledger.RevertData(err); ok {
		return ledger.DescribeRevert(data)
	}
	return err.Error()
}
