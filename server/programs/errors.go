package programs

import (
	"net/http"

	"github.com/aidledger/aidledger/server/apierr"
)

// Domain errors. Match them with errors.Is; copies made with Withf or WithDetail still match.
var (
	ErrProgramInactive = apierr.New(http.StatusUnprocessableEntity, "program_inactive",
		"the program is closed (or its creation failed on chain)")
	ErrProgramPending = apierr.New(http.StatusUnprocessableEntity, "program_pending",
		"the program is not on chain yet; try again once it is active")
	ErrInsufficientFunds = apierr.New(http.StatusUnprocessableEntity, "insufficient_funds",
		"the cycle's total exceeds the program's funding not yet allocated")
	ErrStaleCycle = apierr.New(http.StatusUnprocessableEntity, "stale_cycle",
		"the cycle must be newer than every cycle already allocated in this program")
	ErrNoRecipients = apierr.New(http.StatusUnprocessableEntity, "no_recipients",
		"the allocation has no beneficiaries")
	ErrVendorSuspended = apierr.New(http.StatusUnprocessableEntity, "vendor_suspended",
		"the vendor is suspended")
)
