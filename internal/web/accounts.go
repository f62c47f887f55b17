package web

import (
	"net/http"
	"strconv"

	"cordon"
)

// accountListPage lists the accounts in the administrator's subtree, with
// the forms that create, disable, enable and reset them.
type accountListPage struct {
	page
	Accounts []cordon.Account
	Roles    []cordon.Role
	Create   form
	// ResetFor is the account whose password reset failed.
	ResetFor int64
	Reset    form
}

func (s *server) accountList(w http.ResponseWriter, r *http.Request) {
	s.showAccounts(w, r, http.StatusOK, func(*accountListPage) {})
}

func (s *server) showAccounts(w http.ResponseWriter, r *http.Request, status int, edit func(*accountListPage)) {
	v := s.visitOf(r)
	accounts, err := s.app.Accounts(r.Context(), v.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := accountListPage{
		page:     s.newPage(r, "accounts.title", "accounts"),
		Accounts: accounts,
		Roles:    cordon.Roles,
		Create:   form{Values: map[string]string{"role": string(cordon.RoleViewer), "jurisdiction": v.actor.Jurisdiction}},
	}
	edit(&d)
	s.render(w, r, status, "accounts", d)
}

// accountCreate adds an account.
func (s *server) accountCreate(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	f := formFrom(r, "username", "display_name", "role", "jurisdiction", "password")
	_, err := s.app.CreateAccount(r.Context(), v.actor, cordon.AccountInput{
		Username:     f.Get("username"),
		DisplayName:  f.Get("display_name"),
		Role:         cordon.Role(f.Get("role")),
		Jurisdiction: f.Get("jurisdiction"),
		Password:     f.Get("password"),
	})
	if err != nil {
		status, alert, ok := formFailure(err, &f)
		if !ok {
			s.fail(w, r, err)
			return
		}
		f.Values["password"] = "" // never echo a password
		s.showAccounts(w, r, status, func(d *accountListPage) { d.Create, d.Alert = f, alert })
		return
	}
	s.done(w, r, "/accounts", "account.created")
}

func accountID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

func (s *server) accountDisable(w http.ResponseWriter, r *http.Request) {
	s.setDisabled(w, r, true, "account.disabled")
}

func (s *server) accountEnable(w http.ResponseWriter, r *http.Request) {
	s.setDisabled(w, r, false, "account.enabled")
}

// setDisabled disables (ending its sessions) or enables an account.
func (s *server) setDisabled(w http.ResponseWriter, r *http.Request, disabled bool, done string) {
	id, ok := accountID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	if err := s.app.SetAccountDisabled(r.Context(), s.visitOf(r).actor, id, disabled); err != nil {
		if cordon.ErrorKind(err) == cordon.KindInvalid { // e.g. one's own account
			s.showAccounts(w, r, http.StatusUnprocessableEntity, func(d *accountListPage) { d.Alert = errorKey(err) })
			return
		}
		s.fail(w, r, err)
		return
	}
	s.done(w, r, "/accounts", done)
}

// accountResetPassword sets a new password, ending the account's sessions.
func (s *server) accountResetPassword(w http.ResponseWriter, r *http.Request) {
	id, ok := accountID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	err := s.app.ResetPassword(r.Context(), s.visitOf(r).actor, id, r.PostFormValue("password"))
	if err != nil {
		f := form{Values: map[string]string{}}
		status, alert, ok := formFailure(err, &f)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.showAccounts(w, r, status, func(d *accountListPage) { d.ResetFor, d.Reset, d.Alert = id, f, alert })
		return
	}
	s.done(w, r, "/accounts", "account.password_reset")
}
