package app

import (
	"context"
	"errors"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/programs"
	"github.com/aidledger/aidledger/server/report"
)

// directory puts the programs service's names on the chain ids and addresses that reports
// are computed from.
type directory struct{ p *programs.Service }

func (d directory) Program(ctx context.Context, chainID uint64) (report.ProgramInfo, bool, error) {
	p, err := d.p.ProgramByChainID(ctx, chainID)
	if errors.Is(err, apierr.ErrNotFound) {
		return report.ProgramInfo{}, false, nil
	}
	if err != nil {
		return report.ProgramInfo{}, false, err
	}
	return report.ProgramInfo{ID: p.ID, ChainID: p.ChainProgramID, Name: p.Name, Currency: p.Currency, Decimals: p.Decimals}, true, nil
}

func (d directory) Programs(ctx context.Context) ([]report.ProgramInfo, error) {
	ps, err := d.p.ProgramNames(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]report.ProgramInfo, len(ps))
	for i, p := range ps {
		out[i] = report.ProgramInfo{ID: p.ID, ChainID: p.ChainProgramID, Name: p.Name, Currency: p.Currency, Decimals: p.Decimals}
	}
	return out, nil
}

func (d directory) Vendor(ctx context.Context, address string) (report.VendorInfo, bool, error) {
	v, err := d.p.VendorByAddress(ctx, address)
	if errors.Is(err, apierr.ErrNotFound) {
		return report.VendorInfo{}, false, nil
	}
	if err != nil {
		return report.VendorInfo{}, false, err
	}
	return report.VendorInfo{Name: v.Name, Location: v.Location}, true, nil
}

// programTotals reads programs' totals from the report rollups (the report service is built after
// the programs service, which it needs for names; by the time a request asks, both exist).
func (a *App) programTotals(ctx context.Context, chainIDs ...uint64) (map[uint64]programs.Totals, error) {
	sum, err := a.Reports.Summary(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[uint64]programs.Totals, len(chainIDs))
	for _, id := range chainIDs {
		out[id] = programs.Totals{}
	}
	for _, p := range sum.Programs {
		if _, ok := out[p.ChainProgramID]; ok {
			out[p.ChainProgramID] = programs.Totals{Funded: p.Funded, Allocated: p.Allocated, Redeemed: p.Redeemed,
				Refunded: p.Refunded, Settled: p.Settled, Expired: p.Expired, Outstanding: p.Outstanding}
		}
	}
	return out, nil
}
