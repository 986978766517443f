package verify

import (
	"fmt"
	"io"
	"math/big"
	"text/tabwriter"
)

// WriteTable prints the result as an aligned table (program, figure, chain logs, chain views,
// API, OK/DIFF), then the invariants, then a verdict line.
func (r *Result) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "chain head: block %d", r.Head)
	if r.APIUsed {
		fmt.Fprintf(w, "; API summary as of block %d (compared with the logs up to that block)", r.APIAsOf)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "program\tfigure\tchain logs\tchain views\tAPI\tresult\t")
	for _, row := range r.Rows {
		api := "-"
		if r.APIUsed {
			api = show(row.API)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t\n", row.Program, row.Figure, show(row.Logs), show(row.Views), api, verdict(row.OK))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "program\tinvariant\tvalues\tresult")
	for _, c := range r.Checks {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", c.Program, c.Name, c.Detail, verdict(c.OK))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, p := range r.Problems {
		fmt.Fprintln(w, "DIFF:", p)
	}
	fmt.Fprintln(w)
	if r.OK() {
		_, err := fmt.Fprintf(w, "OK: %d programs, every figure agrees and every invariant holds\n", len(r.Programs))
		return err
	}
	_, err := fmt.Fprintf(w, "FAILED: %d differences or failed invariants\n", r.Different)
	return err
}

func show(v *big.Int) string {
	if v == nil {
		return "-"
	}
	return v.String()
}

func verdict(ok bool) string {
	if ok {
		return "OK"
	}
	return "DIFF"
}
