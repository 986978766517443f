package programs

import (
	"slices"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/store"
)

// ProgramTerms is what accepting a redemption needs of its program.
type ProgramTerms struct {
	Status         string
	ChainProgramID uint64
}

// VendorTerms is what accepting a redemption needs of its shop.
type VendorTerms struct {
	Status     string
	Address    string   // on chain
	Categories []string // what an admin registered it to sell
}

// Sells says whether the shop is registered to sell category.
func (v VendorTerms) Sells(category string) bool { return slices.Contains(v.Categories, category) }

// Parties are the programs and shops a group of redemptions names, by id. Unknown ids are
// absent.
type Parties struct {
	Programs map[string]ProgramTerms
	Vendors  map[string]VendorTerms
}

// PartiesRead is a read of programs and shops queued in a batch: Parties gives them once the
// batch has run.
type PartiesRead struct {
	rows []partyRow
}

type partyRow struct {
	Kind, ID, Status, Address, Categories string
	ChainProgramID                        uint64
}

// QueueParties queues in b the read of the programs' and the shops' terms, in one statement,
// built on db: a group of redemptions must see each one's status in its own transaction, and on
// PostgreSQL each statement of the group was a round trip (they were two, of whole rows). The
// shops' categories come with them, so that a sale outside them is refused by the transaction
// that would write it, whatever an admin changed a moment before.
func QueueParties(b *store.Batch, db *gorm.DB, programIDs, vendorIDs []string) *PartiesRead {
	read := &PartiesRead{}
	store.Query(b, db.Raw("SELECT 'program' AS kind, id, status, chain_program_id, '' AS address, '' AS categories FROM programs WHERE id IN ?"+
		" UNION ALL SELECT 'vendor', id, status, 0, address, categories FROM vendors WHERE id IN ?", store.PadIn(db, programIDs), store.PadIn(db, vendorIDs)), &read.rows)
	return read
}

// Parties are the programs and shops read.
func (r *PartiesRead) Parties() Parties {
	out := Parties{Programs: map[string]ProgramTerms{}, Vendors: map[string]VendorTerms{}}
	for _, r := range r.rows {
		if r.Kind == "program" {
			out.Programs[r.ID] = ProgramTerms{Status: r.Status, ChainProgramID: r.ChainProgramID}
		} else {
			out.Vendors[r.ID] = VendorTerms{Status: r.Status, Address: r.Address, Categories: splitCategories(r.Categories)}
		}
	}
	return out
}
