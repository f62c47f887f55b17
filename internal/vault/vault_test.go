package vault

import (
	"bytes"
	"testing"
)

func testVault(t *testing.T) (*Vault, []byte) {
	t.Helper()
	dk, _ := ParseKey(NewKey())
	ik, _ := ParseKey(NewKey())
	v, err := New(dk, nil, ik)
	if err != nil {
		t.Fatal(err)
	}
	return v, ik
}

func TestSealOpen(t *testing.T) {
	v, _ := testVault(t)
	const id = "45102419900101002X"
	c := v.Seal("id_number", id)
	if bytes.Contains(c, []byte(id)) || bytes.Contains(c, []byte("19900101")) {
		t.Fatal("ciphertext contains the plaintext")
	}
	if c2 := v.Seal("id_number", id); bytes.Equal(c, c2) {
		t.Fatal("two seals of one value are equal: nonce reused")
	}
	got, err := v.Open("id_number", c)
	if err != nil || got != id {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := v.Open("phone", c); err == nil {
		t.Fatal("a ciphertext opened under another field name")
	}
	c[len(c)-1] ^= 1
	if _, err := v.Open("id_number", c); err == nil {
		t.Fatal("a tampered ciphertext opened")
	}
}

func TestRotation(t *testing.T) {
	ik, _ := ParseKey(NewKey())
	ok1, _ := ParseKey(NewKey())
	ok2, _ := ParseKey(NewKey())
	v1, _ := New(ok1, nil, ik)
	s1 := v1.Seal("phone", "13800001234")
	v2, err := New(ok2, [][]byte{ok1}, ik)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := v2.Open("phone", s1); err != nil || got != "13800001234" {
		t.Fatalf("rotated vault cannot open old ciphertext: %q %v", got, err)
	}
	if v2.Current(s1) || !v2.Current(v2.Seal("phone", "x")) {
		t.Fatal("Current misreports the sealing key")
	}
	v3, _ := New(ok2, nil, ik)
	if _, err := v3.Open("phone", s1); err == nil {
		t.Fatal("a vault without the old key opened an old ciphertext")
	}
	if !bytes.Equal(v1.Index("phone", "13800001234"), v3.Index("phone", "13800001234")) {
		t.Fatal("blind index changed with the data key")
	}
}

func TestIndex(t *testing.T) {
	v, _ := testVault(t)
	a := v.Index("id_number", "45102419900101002X")
	if !bytes.Equal(a, v.Index("id_number", "45102419900101002X")) {
		t.Fatal("index not deterministic")
	}
	if bytes.Equal(a, v.Index("phone", "45102419900101002X")) {
		t.Fatal("index ignores the field")
	}
	w, _ := testVault(t)
	if bytes.Equal(a, w.Index("id_number", "45102419900101002X")) {
		t.Fatal("index does not depend on the key")
	}
	if v.Index("phone", "") != nil || v.Seal("phone", "") != nil {
		t.Fatal("empty values must index and seal to nil")
	}
}

func TestParseKey(t *testing.T) {
	if _, err := ParseKey("c2hvcnQ="); err == nil {
		t.Fatal("short key accepted")
	}
	if _, err := ParseKey("not base64!!"); err == nil {
		t.Fatal("garbage accepted")
	}
}
