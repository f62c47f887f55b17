package healthcode_test

import (
	"bytes"
	"cordon/internal/testtool"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/healthcode"
	"cordon/internal/qrcode"
)

func key(t *testing.T, id byte, seed byte) healthcode.Key {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	return healthcode.Key{ID: id, Private: priv, Public: priv.Public().(ed25519.PublicKey)}
}

var refKey = bytes.Repeat([]byte{7}, 32)

func TestTokens(t *testing.T) {
	old, cur := key(t, 1, 1), key(t, 2, 2)
	s, err := healthcode.NewSigner(cur, []healthcode.Key{{ID: old.ID, Public: old.Public}}, refKey)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2022, 2, 9, 9, 0, 0, 0, cordon.ChinaTime)
	tok, err := s.Sign(4242, cordon.Yellow, now, time.Minute, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) != 4+127 || strings.Contains(tok, "4242") {
		t.Errorf("token %q", tok)
	}
	// Offline: colour and times, not whose.
	got, err := healthcode.Parse(s.PublicKeys(), tok, now.Add(30*time.Second))
	if err != nil || got.Color != cordon.Yellow || got.PersonID != 0 || !got.Expires.Equal(now.Add(time.Minute)) {
		t.Fatalf("offline: %+v %v", got, err)
	}
	// The signer learns whose; a second presentation is a replay.
	got, err = s.Verify("https://cordon.example/c/"+tok, now.Add(30*time.Second))
	if err != nil || got.PersonID != 4242 || got.KeyID != cur.ID {
		t.Fatalf("verify: %+v %v", got, err)
	}
	if _, err := s.Verify(tok, now.Add(40*time.Second)); cordon.ErrorCode(err) != "healthcode.replayed" {
		t.Errorf("replay: %v", err)
	}
	// An older key still verifies what it signed.
	olds, _ := healthcode.NewSigner(old, nil, refKey)
	byOld, _ := olds.Sign(7, cordon.Green, now, time.Minute, false)
	if got, err := s.Verify(byOld, now); err != nil || got.PersonID != 7 || got.Color != cordon.Green {
		t.Errorf("older key: %+v %v", got, err)
	}
	// Another signer with an unknown key id, or the same id and another key.
	stranger, _ := healthcode.NewSigner(key(t, 9, 9), nil, refKey)
	forged, _ := stranger.Sign(4242, cordon.Green, now, time.Minute, false)
	impostor, _ := healthcode.NewSigner(key(t, cur.ID, 3), nil, refKey)
	resigned, _ := impostor.Sign(4242, cordon.Green, now, time.Minute, false)
	flip := []byte(tok)
	flip[40] ^= 1
	for name, c := range map[string]struct{ token, code string }{
		"tampered":        {string(flip), "healthcode.signature_invalid"},
		"truncated":       {tok[:len(tok)-10], "healthcode.token_invalid"},
		"not a token":     {"hello", "healthcode.token_invalid"},
		"unknown key":     {forged, "healthcode.key_unknown"},
		"re-signed":       {resigned, "healthcode.signature_invalid"},
		"expired":         {tok, "healthcode.expired"},
		"from the future": {tok, "healthcode.not_yet_valid"},
	} {
		at := now.Add(30 * time.Second)
		switch name {
		case "expired":
			at = now.Add(time.Minute + healthcode.Skew + time.Second)
		case "from the future":
			at = now.Add(-healthcode.Skew - time.Second)
		}
		if _, err := healthcode.Parse(s.PublicKeys(), c.token, at); cordon.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", name, err, c.code)
		}
	}
}

// The QR code of a token reads back, with a real decoder, to a token
// that verifies.
func TestTokenQR(t *testing.T) {
	testtool.Path(t, "zbarimg")
	s, _ := healthcode.NewSigner(key(t, 1, 1), nil, refKey)
	now := time.Now()
	tok, _ := s.Sign(99, cordon.Red, now, time.Minute, false)
	png, err := qrcode.PNG(tok, 6)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "code.png")
	if err := os.WriteFile(path, png, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := s.Verify(strings.TrimSpace(testtool.Run(t, "zbarimg", "--raw", "-q", path)), now)
	if err != nil || got.PersonID != 99 || got.Color != cordon.Red {
		t.Fatalf("read back: %+v %v", got, err)
	}
}

// A printed code is scanned many times: never a replay, and it says so.
func TestPrintedTokens(t *testing.T) {
	s, err := healthcode.NewSigner(key(t, 1, 1), nil, refKey)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2022, 2, 9, 9, 0, 0, 0, cordon.ChinaTime)
	tok, err := s.Sign(77, cordon.Red, now, 30*24*time.Hour, true)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		got, err := s.Verify(tok, now.Add(time.Duration(i)*24*time.Hour))
		if err != nil || !got.Printed || got.Color != cordon.Red || got.PersonID != 77 {
			t.Fatalf("scan %d: %+v %v", i, got, err)
		}
	}
	dyn, _ := s.Sign(77, cordon.Red, now, time.Minute, false)
	if got, _ := healthcode.Parse(s.PublicKeys(), dyn, now); got.Printed || got.Color != cordon.Red {
		t.Errorf("dynamic token read as %+v", got)
	}
}

// The signer checks a token it made and remembers by comparing it; one it
// did not make (another server's, or from before a restart) by signing it
// again with the private key; one of a key it has only the public half of
// by verifying. Each refuses a token altered anywhere.
func TestSignerChecksEveryWay(t *testing.T) {
	k := key(t, 3, 3)
	now := time.Date(2022, 2, 9, 9, 0, 0, 0, cordon.ChinaTime)
	maker, _ := healthcode.NewSigner(k, nil, refKey)
	other, _ := healthcode.NewSigner(k, nil, refKey)                                                        // same keys, made nothing
	public, _ := healthcode.NewSigner(key(t, 4, 4), []healthcode.Key{{ID: k.ID, Public: k.Public}}, refKey) // k's public half only
	for name, s := range map[string]*healthcode.Signer{"made here": maker, "signed again": other, "verified": public} {
		tok, _ := maker.Sign(555, cordon.Yellow, now, time.Minute, false)
		got, err := s.Verify(tok, now)
		if err != nil || got.PersonID != 555 || got.Color != cordon.Yellow {
			t.Errorf("%s: %+v %v", name, got, err)
		}
		for _, i := range []int{10, 40, 100, 130} { // in the body and in the signature
			tok, _ := maker.Sign(555, cordon.Yellow, now, time.Minute, false)
			b := []byte(tok)
			b[i] ^= 'A' ^ 'B'
			if _, err := s.Verify(string(b), now); err == nil {
				t.Errorf("%s: a token altered at %d verified", name, i)
			}
		}
	}
}
