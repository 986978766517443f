package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/auth"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

// POST /api/v1/auth/login
func (s *Server) login(c echo.Context) error {
	var req loginRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.Email == "" {
		return apierr.Invalid("email", "is required")
	}
	if req.Password == "" {
		return apierr.Invalid("password", "is required")
	}
	sess, err := s.deps.Auth.Login(c.Request().Context(), req.Email, req.Password, c.RealIP())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sess)
}

// POST /api/v1/auth/refresh
func (s *Server) refresh(c echo.Context) error {
	var req refreshRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.RefreshToken == "" {
		return apierr.Invalid("refresh_token", "is required")
	}
	sess, err := s.deps.Auth.Refresh(c.Request().Context(), req.RefreshToken)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sess)
}

// POST /api/v1/auth/logout
func (s *Server) logout(c echo.Context) error {
	var req refreshRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := s.deps.Auth.Logout(c.Request().Context(), req.RefreshToken); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// GET /api/v1/me
func (s *Server) me(c echo.Context) error {
	u, err := s.deps.Auth.User(c.Request().Context(), claimsOf(c).Subject)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

// POST /api/v1/users
func (s *Server) createUser(c echo.Context) error {
	var req auth.NewUser
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.VendorID != "" && s.deps.VendorExists != nil {
		if err := s.deps.VendorExists(c.Request().Context(), req.VendorID); err != nil {
			return apierr.Invalid("vendor_id", "no such vendor")
		}
	}
	u, err := s.deps.Auth.CreateUser(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

type userList struct {
	Users []auth.UserView `json:"users"`
}

// GET /api/v1/users
func (s *Server) listUsers(c echo.Context) error {
	us, err := s.deps.Auth.ListUsers(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, userList{Users: us})
}

// POST /api/v1/users/:id/disable and /enable
func (s *Server) setUserDisabled(disabled bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, err := s.deps.Auth.SetDisabled(c.Request().Context(), claimsOf(c).Subject, c.Param("id"), disabled)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, u)
	}
}

type passwordRequest struct {
	Password string `json:"password"`
}

// POST /api/v1/users/:id/password
func (s *Server) setUserPassword(c echo.Context) error {
	var req passwordRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := s.deps.Auth.SetPassword(c.Request().Context(), claimsOf(c).Subject, c.Param("id"), req.Password); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type changePasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// POST /api/v1/me/password
func (s *Server) changePassword(c echo.Context) error {
	var req changePasswordRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.CurrentPassword == "" {
		return apierr.Invalid("current_password", "is required")
	}
	sess, err := s.deps.Auth.ChangePassword(c.Request().Context(), claimsOf(c).Subject, req.CurrentPassword, req.NewPassword, c.RealIP())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sess)
}
