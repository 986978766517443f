package programs

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// ProgramTerms is what accepting a redemption needs of its program.
type ProgramTerms struct {
	Status         string
	ChainProgramID uint64
}

// VendorTerms is what accepting a redemption needs of its shop.
type VendorTerms struct {
	Status  string
	Address string // on chain
}

// Parties are the programs and shops a group of redemptions names, by id. Unknown ids are
// absent.
type Parties struct {
	Programs map[string]ProgramTerms
	Vendors  map[string]VendorTerms
}

// PartiesIn reads the programs' and the shops' terms in tx, in one statement: a group of
// redemptions must see each one's status in its own transaction, and on PostgreSQL each
// statement of the group is a round trip (they were two, of whole rows).
func (s *Service) PartiesIn(ctx context.Context, tx *gorm.DB, programIDs, vendorIDs []string) (Parties, error) {
	var rows []struct {
		Kind, ID, Status, Address string
		ChainProgramID            uint64
	}
	err := tx.WithContext(ctx).Raw("SELECT 'program' AS kind, id, status, chain_program_id, '' AS address FROM programs WHERE id IN ?"+
		" UNION ALL SELECT 'vendor', id, status, 0, address FROM vendors WHERE id IN ?", programIDs, vendorIDs).Scan(&rows).Error
	if err != nil {
		return Parties{}, fmt.Errorf("read %d programs and %d shops: %w", len(programIDs), len(vendorIDs), err)
	}
	out := Parties{Programs: map[string]ProgramTerms{}, Vendors: map[string]VendorTerms{}}
	for _, r := range rows {
		if r.Kind == "program" {
			out.Programs[r.ID] = ProgramTerms{Status: r.Status, ChainProgramID: r.ChainProgramID}
		} else {
			out.Vendors[r.ID] = VendorTerms{Status: r.Status, Address: r.Address}
		}
	}
	return out, nil
}
