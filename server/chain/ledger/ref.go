package ledger

import (
	"fmt"

	"github.com/google/uuid"
)

// A redemption's ref (the bytes32 the Redeemed event carries) is laid out by aidledger as
//
//	bytes 0..15   the off-chain redemption id (a UUID)
//	byte  16      the spending category code (below)
//	bytes 17..31  zero
//
// so that a report by category is computed from chain events alone and checkable with a plain
// Ethereum client, at no extra gas: the 32 bytes are paid for anyway.
type Ref struct {
	ID       uuid.UUID
	Category Category
}

// Category is what a redemption was spent on. Codes are stable: they are on chain.
type Category uint8

const (
	CategoryOther     Category = 0
	CategoryFood      Category = 1
	CategoryHygiene   Category = 2
	CategoryHousehold Category = 3
	CategoryMedicine  Category = 4
	CategoryClothing  Category = 5
	CategoryShelter   Category = 6
	CategoryEducation Category = 7
	CategoryFuel      Category = 8
)

var categoryNames = map[Category]string{
	CategoryOther: "other", CategoryFood: "food", CategoryHygiene: "hygiene", CategoryHousehold: "household",
	CategoryMedicine: "medicine", CategoryClothing: "clothing", CategoryShelter: "shelter",
	CategoryEducation: "education", CategoryFuel: "fuel",
}

// Categories lists every category name, in code order.
func Categories() []string {
	out := make([]string, 0, len(categoryNames))
	for c := Category(0); int(c) < len(categoryNames); c++ {
		out = append(out, categoryNames[c])
	}
	return out
}

func (c Category) String() string {
	if n, ok := categoryNames[c]; ok {
		return n
	}
	return fmt.Sprintf("category_%d", uint8(c))
}

// ParseCategory reads a category name.
func ParseCategory(name string) (Category, bool) {
	for c, n := range categoryNames {
		if n == name {
			return c, true
		}
	}
	return 0, false
}

// Bytes packs the ref for the contract.
func (r Ref) Bytes() [32]byte {
	var b [32]byte
	copy(b[:16], r.ID[:])
	b[16] = byte(r.Category)
	return b
}

// ParseRef unpacks a ref read from a Redeemed or RedemptionRejected event.
func ParseRef(b [32]byte) Ref {
	var r Ref
	copy(r.ID[:], b[:16])
	r.Category = Category(b[16])
	return r
}
