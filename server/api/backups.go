package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// POST /api/v1/admin/backups: the archive is written in the background; GET shows when it is
// done.
func (s *Server) startBackup(c echo.Context) error {
	info, err := s.deps.Backups.Start()
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, info)
}

// GET /api/v1/admin/backups
func (s *Server) listBackups(c echo.Context) error {
	return c.JSON(http.StatusOK, s.deps.Backups.List())
}
