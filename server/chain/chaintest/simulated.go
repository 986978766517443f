package chaintest

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	gethnode "github.com/ethereum/go-ethereum/node"

	aidnode "github.com/aidledger/aidledger/server/chain/node"
)

// simulatedChainID is fixed by go-ethereum: a simulated backend always runs chain 1337.
const simulatedChainID = 1337

// Compile-time check that the simulated client offers the uniform surface.
var _ Client = (simulated.Client)(nil)

// Simulated starts an in-process simulated chain with aidledger's chain configuration (Bogota
// off, so gas follows mainnet's Osaka rules) and nKeys funded keys. It is closed when t ends.
func Simulated(t testing.TB, nKeys int) *Chain {
	t.Helper()
	keys := testKeys(nKeys)
	addrs := make([]common.Address, len(keys))
	for i, k := range keys {
		addrs[i] = crypto.PubkeyToAddress(k.PublicKey)
	}
	sim := simulated.NewBackend(aidnode.Fund(addrs...), func(_ *gethnode.Config, ec *ethconfig.Config) {
		ec.Genesis.Config = aidnode.ChainConfig(simulatedChainID)
		ec.Genesis.GasLimit = aidnode.GenesisGasLimit
	})
	t.Cleanup(func() { _ = sim.Close() })
	return &Chain{
		Name:    "simulated",
		Client:  sim.Client(),
		Keys:    keys,
		ChainID: big.NewInt(simulatedChainID),
		commit:  func() { sim.Commit() },
	}
}
