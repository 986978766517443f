package ledger_test

import (
	"github.com/ethereum/go-ethereum/common"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/chain/ledger"
)

// model is a plain-Go AidLedger: the property test applies every operation to it and to the
// contract, and the two must agree on every view.
type model struct {
	programs  map[uint64]*modelProgram
	suspended map[[32]byte]bool
	approved  map[common.Address]bool
}

type modelProgram struct {
	active                                        bool
	funded, allocated, redeemed, settled, expired uint64
	beneficiaries                                 uint64
	ents                                          map[[32]byte]*modelEnt
	positions                                     map[common.Address]*modelPos
}

type modelEnt struct {
	balance, seq uint64
	cycle        uint32
}

type modelPos struct{ redeemed, settled uint64 }

func newModel(pids ...uint64) *model {
	m := &model{programs: map[uint64]*modelProgram{}, suspended: map[[32]byte]bool{}, approved: map[common.Address]bool{}}
	for _, pid := range pids {
		m.programs[pid] = &modelProgram{active: true, ents: map[[32]byte]*modelEnt{}, positions: map[common.Address]*modelPos{}}
	}
	return m
}

func (p *modelProgram) ent(id [32]byte) *modelEnt {
	if p.ents[id] == nil {
		p.ents[id] = &modelEnt{}
	}
	return p.ents[id]
}

func (p *modelProgram) pos(v common.Address) *modelPos {
	if p.positions[v] == nil {
		p.positions[v] = &modelPos{}
	}
	return p.positions[v]
}

// allocate reports whether the call succeeds and, if so, applies it.
func (m *model) allocate(pid uint64, cycle uint32, ids [][32]byte, amounts []uint64) bool {
	p := m.programs[pid]
	if cycle == 0 || !p.active {
		return false
	}
	// Stage first: the contract reverts the whole call when the total exceeds the funds.
	var credited, created uint64
	staged := map[[32]byte]modelEnt{}
	for i, id := range ids {
		e, ok := staged[id]
		if !ok {
			e = *p.ent(id)
		}
		if amounts[i] == 0 || e.cycle >= cycle {
			continue
		}
		if e.cycle == 0 {
			created++
		}
		e.balance += amounts[i]
		e.cycle = cycle
		staged[id] = e
		credited += amounts[i]
	}
	if credited > p.funded-p.allocated {
		return false
	}
	for id, e := range staged {
		*p.ent(id) = e
	}
	p.allocated += credited
	p.beneficiaries += created
	return true
}

func (m *model) redeem(pid uint64, id [32]byte, v common.Address, amount, seq uint64) bool {
	p := m.programs[pid]
	e := p.ent(id)
	if !p.active || amount == 0 || !m.approved[v] || m.suspended[id] || e.seq != seq || e.balance < amount {
		return false
	}
	e.balance -= amount
	e.seq++
	p.pos(v).redeemed += amount
	p.redeemed += amount
	return true
}

// redeemBatch applies a batch and returns each item's reason (ReasonNone when applied).
func (m *model) redeemBatch(pid uint64, items []aidledger.AidLedgerRedeemItem) []ledger.Reason {
	p := m.programs[pid]
	out := make([]ledger.Reason, len(items))
	for i, it := range items {
		e := p.ent(it.Beneficiary)
		amount := it.Amount.Uint64()
		var r ledger.Reason
		switch {
		case e.seq != it.Seq:
			r = ledger.ReasonSequenceMismatch
		case !p.active:
			r = ledger.ReasonProgramInactive
		case amount == 0:
			r = ledger.ReasonZeroAmount
		case !m.approved[it.Vendor]:
			r = ledger.ReasonVendorNotApproved
		case m.suspended[it.Beneficiary]:
			r = ledger.ReasonBeneficiarySuspended
		case e.balance < amount:
			r = ledger.ReasonInsufficientBalance
		}
		out[i] = r
		switch r {
		case ledger.ReasonNone:
			e.balance -= amount
			e.seq++
			p.pos(it.Vendor).redeemed += amount
			p.redeemed += amount
		case ledger.ReasonSequenceMismatch:
		default:
			e.seq++ // a rejected item with the right seq still consumes it
		}
	}
	return out
}

func (m *model) expire(pid uint64, ids [][32]byte) {
	p := m.programs[pid]
	for _, id := range ids {
		e := p.ent(id)
		p.expired += e.balance
		e.balance = 0
	}
}

func (m *model) settle(pid uint64, v common.Address, amount uint64) bool {
	p := m.programs[pid]
	pos := p.pos(v)
	if amount == 0 || amount > pos.redeemed-pos.settled {
		return false
	}
	pos.settled += amount
	p.settled += amount
	return true
}

// refund gives back part of what vendor v redeemed to beneficiary id; it comes out of what the
// vendor is still owed.
func (m *model) refund(pid uint64, id [32]byte, v common.Address, amount uint64) bool {
	p := m.programs[pid]
	pos := p.pos(v)
	if amount == 0 || amount > pos.redeemed-pos.settled {
		return false
	}
	p.ent(id).balance += amount
	pos.redeemed -= amount
	p.redeemed -= amount
	return true
}

// reverseSettlement takes back part of what was recorded as paid to vendor v.
func (m *model) reverseSettlement(pid uint64, v common.Address, amount uint64) bool {
	p := m.programs[pid]
	pos := p.pos(v)
	if amount == 0 || amount > pos.settled {
		return false
	}
	pos.settled -= amount
	p.settled -= amount
	return true
}
