package cordon

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Account is a staff member's login. It is bound to one jurisdiction node
// and sees only that subtree; a grid worker is bound to a grid.
type Account struct {
	ID           int64     `json:"id"`
	Username     string    `json:"username"`
	DisplayName  string    `json:"display_name"`
	Role         Role      `json:"role"`
	Jurisdiction string    `json:"jurisdiction"`
	Disabled     bool      `json:"disabled"`
	Language     string    `json:"language,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	LastLoginAt  time.Time `json:"last_login_at,omitzero"`
	// FailedLogins and LockedUntil drive the growing delay and lockout
	// after wrong passwords.
	FailedLogins int       `json:"-"`
	LockedUntil  time.Time `json:"-"`
}

// Actor returns the account as the actor of an operation.
func (a Account) Actor() Actor {
	return Actor{AccountID: a.ID, Username: a.Username, Role: a.Role, Jurisdiction: a.Jurisdiction}
}

// AccountInput creates an account.
type AccountInput struct {
	Username     string `json:"username"`
	DisplayName  string `json:"display_name"`
	Role         Role   `json:"role"`
	Jurisdiction string `json:"jurisdiction"`
	Password     string `json:"password"`
}

// MinPasswordLength is the shortest password cordon accepts.
const MinPasswordLength = 8

// Validate normalises and checks the input.
func (in *AccountInput) Validate() error {
	var v Invalid
	v.Code = "account.invalid"
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	if !validUsername(in.Username) {
		v.Add("username", "account.username_invalid")
	}
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	if in.DisplayName == "" {
		in.DisplayName = in.Username
	}
	if utf8.RuneCountInString(in.DisplayName) > 64 || strings.ContainsAny(in.DisplayName, "<>\"'&\x00") {
		v.Add("display_name", "account.display_name_invalid")
	}
	if !in.Role.Valid() {
		v.Add("role", "account.role_invalid")
	}
	lvl, ok := LevelOf(in.Jurisdiction)
	switch {
	case !ok:
		v.Add("jurisdiction", "jurisdiction.unknown")
	case in.Role == RoleGridWorker && lvl != LevelGrid:
		v.Add("jurisdiction", "account.grid_worker_needs_grid")
	}
	if err := CheckPassword(in.Password); err != nil {
		v.Add("password", ErrorCode(err))
	}
	return v.Err()
}

// CheckPassword enforces the password policy: at least MinPasswordLength
// characters and at most 256 bytes.
func CheckPassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLength || len(pw) > 256 {
		return (&Error{Kind: KindInvalid, Code: "account.password_weak", Message: "password must be at least 8 characters"}).WithField("password", "account.password_weak")
	}
	return nil
}

func validUsername(s string) bool {
	if len(s) < 2 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// Token is an API bearer token of an account. The secret itself is shown
// once, when issued; cordon keeps only its hash.
type Token struct {
	ID        int64     `json:"id"`
	AccountID int64     `json:"account_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// Grid is a 网格 below a village or community, created by an administrator.
// Its code is the village code followed by a three-digit number.
type Grid struct {
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Parent    string    `json:"parent"`
	CreatedAt time.Time `json:"created_at"`
}

// AuditEntry is one line of the append-only audit log: who did or read
// what, when, and why.
type AuditEntry struct {
	ID           int64     `json:"id"`
	At           time.Time `json:"at"`
	AccountID    int64     `json:"account_id,omitempty"`
	Username     string    `json:"username"`
	Action       string    `json:"action"` // e.g. person.read, person.create, account.disable
	Record       string    `json:"record"` // e.g. person:42
	Jurisdiction string    `json:"jurisdiction,omitempty"`
	Reason       string    `json:"reason,omitempty"`
	Detail       string    `json:"detail,omitempty"`
	RequestID    string    `json:"request_id,omitempty"`
	Remote       string    `json:"remote,omitempty"`
	Read         bool      `json:"read,omitempty"` // a read of personal data (kept packed, see store.Tx.AuditRead)
}

// AuditFilter selects audit entries for browsing.
type AuditFilter struct {
	Username string
	Action   string
	Record   string
	Since    time.Time
	Until    time.Time
	Before   int64 // cursor: entries with a smaller id
	Limit    int
}
