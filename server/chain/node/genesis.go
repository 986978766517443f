package node

import (
	"maps"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
)

// DefaultChainID is the chain id of an embedded aidledger chain.
const DefaultChainID = 1337

// GenesisGasLimit is the block gas limit of the embedded chain: mainnet's order of magnitude, so
// that batch sizes tuned here also fit a permissioned network with ordinary settings.
const GenesisGasLimit = 60_000_000

// ChainConfig is go-ethereum's all-forks dev configuration with the not-yet-released Bogota fork
// switched off: storage and call costs then follow today's mainnet rules (Osaka), so gas figures
// measured here mean what an Ethereum engineer expects. Every embedded chain and every simulated
// backend in tests uses it.
func ChainConfig(chainID uint64) *params.ChainConfig {
	cfg := *params.AllDevChainProtocolChanges
	cfg.ChainID = new(big.Int).SetUint64(chainID)
	cfg.BogotaTime = nil
	return &cfg
}

// Genesis is the genesis block of an embedded chain: the dev configuration, the system contracts
// the enabled forks call into, and alloc (typically the operator's address with a large balance).
func Genesis(chainID uint64, alloc types.GenesisAlloc) *core.Genesis {
	a := core.SystemContractAllocs()
	maps.Copy(a, alloc)
	return &core.Genesis{
		Config:     ChainConfig(chainID),
		GasLimit:   GenesisGasLimit,
		BaseFee:    big.NewInt(params.InitialBaseFee),
		Difficulty: big.NewInt(0),
		Alloc:      a,
	}
}

// Fund returns a genesis allocation that gives each address a balance no test or deployment can
// spend (gas is the only use of ether on this chain).
func Fund(addrs ...common.Address) types.GenesisAlloc {
	bal, _ := new(big.Int).SetString("1000000000000000000000000000", 10) // 1e27 wei
	alloc := types.GenesisAlloc{}
	for _, a := range addrs {
		alloc[a] = types.Account{Balance: bal}
	}
	return alloc
}
