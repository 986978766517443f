package chain

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/chain/ledger"
	"github.com/aidledger/aidledger/server/chain/node"
	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/store"
)

// Deployment records the ledger contract of one chain. The row is written with the contract's
// address (which follows from the deployer and its nonce) and the signed transaction before
// that transaction is sent: a crash mid-deployment then resumes the same deployment instead of
// creating a second ledger.
type Deployment struct {
	ChainID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	Genesis   string `gorm:"size:66;not null"`
	Contract  string `gorm:"size:42;not null"`
	Deployer  string `gorm:"size:42;not null"`
	TxHash    string `gorm:"size:66;not null"`
	Raw       []byte `gorm:"not null"`
	Block     uint64
	CreatedAt time.Time
}

func (Deployment) TableName() string { return "chain_deployments" }

// Frozen copies of the models as migration 1 created them: later changes to the live models
// must come as new migrations, never by editing these.
type deploymentV1 struct {
	ChainID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	Genesis   string `gorm:"size:66;not null"`
	Contract  string `gorm:"size:42;not null"`
	Deployer  string `gorm:"size:42;not null"`
	TxHash    string `gorm:"size:66;not null"`
	Raw       []byte `gorm:"not null"`
	Block     uint64
	CreatedAt time.Time
}

func (deploymentV1) TableName() string { return "chain_deployments" }

// Schema is the chain package's own table, for store.Migrate.
var Schema = store.Component{
	Name: "chain",
	Migrations: []store.Migration{{
		Version: 1, Name: "ledger deployments",
		Up: func(tx *gorm.DB) error { return tx.Migrator().CreateTable(&deploymentV1{}) },
	}},
}

// ErrNoCode is returned when the recorded ledger address holds no contract: the node is not the
// chain the database was made for, or that chain was reset.
var ErrNoCode = errors.New("the recorded ledger contract has no code on this chain")

// ensureLedger returns the ledger deployment for the chain, deploying it on first use, and makes
// sure every lane key holds the operator role.
func ensureLedger(ctx context.Context, db *gorm.DB, c *ethclient.Client, chainID *big.Int, keys []*ecdsa.PrivateKey, tip *big.Int) (Deployment, error) {
	genesis, err := c.HeaderByNumber(ctx, big.NewInt(0))
	if err != nil {
		return Deployment{}, fmt.Errorf("read genesis: %w", err)
	}
	var d Deployment
	err = db.WithContext(ctx).First(&d, "chain_id = ?", chainID.Uint64()).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		if d, err = startDeployment(ctx, db, c, chainID, keys[0], tip, genesis.Hash()); err != nil {
			return d, err
		}
	case err != nil:
		return d, fmt.Errorf("read deployment: %w", err)
	case d.Genesis != genesis.Hash().Hex():
		return d, fmt.Errorf("%w: the database belongs to chain %d with genesis %s, the node's genesis is %s",
			ErrNoCode, d.ChainID, d.Genesis, genesis.Hash().Hex())
	}
	if d.Block == 0 {
		if d, err = finishDeployment(ctx, db, c, d); err != nil {
			return d, err
		}
	}
	code, err := c.CodeAt(ctx, common.HexToAddress(d.Contract), nil)
	if err != nil {
		return d, fmt.Errorf("read ledger code: %w", err)
	}
	if len(code) == 0 {
		return d, fmt.Errorf("%w: %s on chain %d", ErrNoCode, d.Contract, d.ChainID)
	}
	return d, grantRoles(ctx, c, chainID, common.HexToAddress(d.Contract), keys, tip)
}

func startDeployment(ctx context.Context, db *gorm.DB, c *ethclient.Client, chainID *big.Int, key *ecdsa.PrivateKey, tip *big.Int, genesis common.Hash) (Deployment, error) {
	from := crypto.PubkeyToAddress(key.PublicKey)
	nonce, err := c.NonceAt(ctx, from, nil)
	if err != nil {
		return Deployment{}, fmt.Errorf("read deployer nonce: %w", err)
	}
	data := append(common.FromHex(aidledger.AidLedgerMetaData.Bin), aidledger.NewAidLedger().PackConstructor(from)...)
	tx, err := signTx(ctx, c, chainID, key, nonce, nil, nil, data, 4_000_000, tip)
	if err != nil {
		return Deployment{}, err
	}
	raw, err := tx.MarshalBinary()
	if err != nil {
		return Deployment{}, err
	}
	d := Deployment{
		ChainID: chainID.Uint64(), Genesis: genesis.Hex(), Contract: crypto.CreateAddress(from, nonce).Hex(),
		Deployer: from.Hex(), TxHash: tx.Hash().Hex(), Raw: raw,
	}
	if err := db.WithContext(ctx).Create(&d).Error; err != nil {
		return d, fmt.Errorf("record deployment: %w", err)
	}
	return d, nil
}

// finishDeployment (re-)sends the recorded deployment and waits for it to be mined.
func finishDeployment(ctx context.Context, db *gorm.DB, c *ethclient.Client, d Deployment) (Deployment, error) {
	var tx types.Transaction
	if err := tx.UnmarshalBinary(d.Raw); err != nil {
		return d, fmt.Errorf("recorded deployment: %w", err)
	}
	if err := c.SendTransaction(ctx, &tx); err != nil && !alreadySent(err) {
		return d, fmt.Errorf("send deployment: %w", err)
	}
	rc, err := waitMined(ctx, c, tx.Hash())
	if err != nil {
		return d, fmt.Errorf("deployment %s: %w", d.TxHash, err)
	}
	if rc.Status != types.ReceiptStatusSuccessful {
		return d, fmt.Errorf("deployment %s reverted", d.TxHash)
	}
	d.Block = rc.BlockNumber.Uint64()
	if err := db.WithContext(ctx).Model(&Deployment{}).Where("chain_id = ?", d.ChainID).Update("block", d.Block).Error; err != nil {
		return d, fmt.Errorf("record deployment block: %w", err)
	}
	return d, nil
}

// grantRoles gives the first key every role the server uses and each lane the operator role,
// skipping what is granted already (so a restart after a crash half-way simply finishes).
func grantRoles(ctx context.Context, c *ethclient.Client, chainID *big.Int, contract common.Address, keys []*ecdsa.PrivateKey, tip *big.Int) error {
	abi := aidledger.NewAidLedger()
	type grant struct {
		role common.Hash
		to   common.Address
	}
	admin := crypto.PubkeyToAddress(keys[0].PublicKey)
	grants := []grant{{ledger.RoleProgramManager, admin}, {ledger.RoleSettler, admin}}
	for _, k := range keys {
		grants = append(grants, grant{ledger.RoleOperator, crypto.PubkeyToAddress(k.PublicKey)})
	}
	for _, g := range grants {
		out, err := c.CallContract(ctx, ethereum.CallMsg{To: &contract, Data: abi.PackHasRole(g.role, g.to)}, nil)
		if err != nil {
			return fmt.Errorf("read role %s of %s: %w", ledger.RoleName(g.role), g.to.Hex(), err)
		}
		if has, err := abi.UnpackHasRole(out); err == nil && has {
			continue
		}
		if err := transact(ctx, c, chainID, keys[0], contract, nil, abi.PackGrantRole(g.role, g.to), 200_000, tip); err != nil {
			return fmt.Errorf("grant %s to %s: %w", ledger.RoleName(g.role), g.to.Hex(), err)
		}
	}
	return nil
}

// fundLanes tops up lane keys that cannot pay for gas from the first key, which the embedded
// chain funds at genesis (on an external network, the operator funds it).
func fundLanes(ctx context.Context, c *ethclient.Client, chainID *big.Int, keys []*ecdsa.PrivateKey, tip *big.Int) error {
	floor := new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil) // 1 ether
	for _, k := range keys[1:] {
		to := crypto.PubkeyToAddress(k.PublicKey)
		bal, err := c.BalanceAt(ctx, to, nil)
		if err != nil {
			return fmt.Errorf("read balance of lane %s: %w", to.Hex(), err)
		}
		if bal.Cmp(floor) >= 0 {
			continue
		}
		if err := transact(ctx, c, chainID, keys[0], to, new(big.Int).Mul(floor, big.NewInt(1000)), nil, 21_000, tip); err != nil {
			return fmt.Errorf("fund lane %s: %w", to.Hex(), err)
		}
	}
	return nil
}

// signTx signs an EIP-1559 transaction with the pipeline's fee cap rule.
func signTx(ctx context.Context, c *ethclient.Client, chainID *big.Int, key *ecdsa.PrivateKey, nonce uint64, to *common.Address, value *big.Int, data []byte, gas uint64, tip *big.Int) (*types.Transaction, error) {
	head, err := c.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("read head: %w", err)
	}
	feeCap := pipeline.FeeCap(tip, head)
	return types.SignNewTx(key, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{
		ChainID: chainID, Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap, Gas: gas, To: to, Value: value, Data: data,
	})
}

// transact sends a setup transaction (role grant, lane funding) and waits for it. These run at
// start-up before the pipeline, and each is checked for before it is sent, so a crash between
// send and receipt at worst repeats a harmless grant or top-up.
func transact(ctx context.Context, c *ethclient.Client, chainID *big.Int, key *ecdsa.PrivateKey, to common.Address, value *big.Int, data []byte, gas uint64, tip *big.Int) error {
	nonce, err := c.PendingNonceAt(ctx, crypto.PubkeyToAddress(key.PublicKey))
	if err != nil {
		return err
	}
	tx, err := signTx(ctx, c, chainID, key, nonce, &to, value, data, gas, tip)
	if err != nil {
		return err
	}
	if err := c.SendTransaction(ctx, tx); err != nil {
		return err
	}
	rc, err := waitMined(ctx, c, tx.Hash())
	if err != nil {
		return err
	}
	if rc.Status != types.ReceiptStatusSuccessful {
		return fmt.Errorf("transaction %s reverted", tx.Hash().Hex())
	}
	return nil
}

func waitMined(ctx context.Context, c *ethclient.Client, hash common.Hash) (*types.Receipt, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	return node.WaitReceipt(ctx, c, hash)
}

func alreadySent(err error) bool {
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "already known") || strings.Contains(s, "nonce too low") || strings.Contains(s, "known transaction")
}
