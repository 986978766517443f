package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/programs"
)

type programList struct {
	Programs []programs.Program `json:"programs"`
	Next     string             `json:"next,omitempty"` // cursor: pass as ?after= for the next page
}

type vendorList struct {
	Vendors []programs.Vendor `json:"vendors"`
	Next    string            `json:"next,omitempty"`
}

type fundingList struct {
	Fundings []programs.Funding `json:"fundings"`
	Next     string             `json:"next,omitempty"`
}

// cursorPage reads ?after=&limit= for cursor-paginated lists.
func cursorPage(c echo.Context) (programs.Page, error) {
	pg := programs.Page{After: c.QueryParam("after")}
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return pg, apierr.Invalid("limit", "must be a positive integer")
		}
		pg.Limit = n
	}
	return pg, nil
}

// POST /api/v1/programs
func (s *Server) createProgram(c echo.Context) error {
	var req programs.ProgramRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	p, err := s.deps.Programs.CreateProgram(c.Request().Context(), actor(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, p)
}

// GET /api/v1/programs
func (s *Server) listPrograms(c echo.Context) error {
	pg, err := cursorPage(c)
	if err != nil {
		return err
	}
	ps, next, err := s.deps.Programs.Programs(c.Request().Context(), pg)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, programList{Programs: ps, Next: next})
}

// GET /api/v1/programs/:id
func (s *Server) getProgram(c echo.Context) error {
	p, err := s.deps.Programs.Program(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// PATCH /api/v1/programs/:id
func (s *Server) renameProgram(c echo.Context) error {
	var p programs.ProgramPatch
	if err := bind(c, &p); err != nil {
		return err
	}
	prog, err := s.deps.Programs.RenameProgram(c.Request().Context(), actor(c), c.Param("id"), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, prog)
}

// POST /api/v1/programs/:id/close and /reopen
func (s *Server) setProgramActive(active bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, err := s.deps.Programs.SetProgramActive(c.Request().Context(), actor(c), c.Param("id"), active)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, p)
	}
}

// POST /api/v1/programs/:id/fundings
func (s *Server) fundProgram(c echo.Context) error {
	var req programs.FundRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	f, err := s.deps.Programs.Fund(c.Request().Context(), actor(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	// The Activity tab says how much: a typo of three zeros is public on chain at once, and
	// the log is where an admin finds who recorded it. An amount is not personal data; the
	// donor's name stays out, since a donor may be a person.
	if p, err := s.deps.Programs.ProgramInfo(c.Request().Context(), f.ProgramID); err == nil {
		setAuditDetail(c, majorUnits(f.Amount, p.Decimals)+" "+p.Currency)
	} else {
		setAuditDetail(c, fmt.Sprintf("%d minor units", f.Amount))
	}
	return c.JSON(http.StatusCreated, f)
}

// GET /api/v1/programs/:id/fundings
func (s *Server) listFundings(c echo.Context) error {
	pg, err := cursorPage(c)
	if err != nil {
		return err
	}
	fs, next, err := s.deps.Programs.Fundings(c.Request().Context(), c.Param("id"), pg)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, fundingList{Fundings: fs, Next: next})
}

// POST /api/v1/programs/:id/allocations
func (s *Server) startAllocation(c echo.Context) error {
	var req programs.AllocationRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	j, err := s.deps.Programs.StartAllocation(c.Request().Context(), actor(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, j)
}

// GET /api/v1/programs/:id/allocations/:job
func (s *Server) getAllocation(c echo.Context) error {
	j, err := s.deps.Programs.Job(c.Request().Context(), c.Param("job"))
	if err != nil {
		return err
	}
	if j.ProgramID != c.Param("id") {
		return apierr.ErrNotFound
	}
	return c.JSON(http.StatusOK, j)
}

// POST /api/v1/vendors
func (s *Server) createVendor(c echo.Context) error {
	var req programs.VendorRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	v, err := s.deps.Programs.CreateVendor(c.Request().Context(), actor(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

// GET /api/v1/vendors
func (s *Server) listVendors(c echo.Context) error {
	pg, err := cursorPage(c)
	if err != nil {
		return err
	}
	vs, next, err := s.deps.Programs.Vendors(c.Request().Context(), pg)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, vendorList{Vendors: vs, Next: next})
}

// GET /api/v1/vendors/:id (a vendor user sees its own vendor only)
func (s *Server) getVendor(c echo.Context) error {
	if err := ownVendor(c, c.Param("id")); err != nil {
		return err
	}
	v, err := s.deps.Programs.Vendor(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// PATCH /api/v1/vendors/:id
func (s *Server) updateVendor(c echo.Context) error {
	var p programs.VendorPatch
	if err := bind(c, &p); err != nil {
		return err
	}
	v, err := s.deps.Programs.UpdateVendor(c.Request().Context(), actor(c), c.Param("id"), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// POST /api/v1/vendors/:id/suspend and /reinstate
func (s *Server) setVendorStatus(suspend bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, id := c.Request().Context(), c.Param("id")
		var v programs.Vendor
		var err error
		if suspend {
			v, err = s.deps.Programs.SuspendVendor(ctx, actor(c), id)
		} else {
			v, err = s.deps.Programs.ReinstateVendor(ctx, actor(c), id)
		}
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, v)
	}
}

// majorUnits writes minor units as an exact decimal in the currency's major unit ("500000", 3
// → "500.000"), without a float that could round a large amount.
func majorUnits(minor int64, decimals int) string {
	sign := ""
	u := uint64(minor)
	if minor < 0 {
		sign, u = "-", uint64(-minor)
	}
	s := strconv.FormatUint(u, 10)
	if decimals <= 0 {
		return sign + s
	}
	if len(s) <= decimals {
		s = strings.Repeat("0", decimals-len(s)+1) + s
	}
	return sign + s[:len(s)-decimals] + "." + s[len(s)-decimals:]
}
