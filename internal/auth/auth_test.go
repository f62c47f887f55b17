package auth

import "testing"

func TestPasswordHash(t *testing.T) {
	h := HashPassword("correct horse", TestParams)
	if ok, err := VerifyPassword("correct horse", h); !ok || err != nil {
		t.Fatalf("right password rejected: %v", err)
	}
	if ok, _ := VerifyPassword("correct horsf", h); ok {
		t.Fatal("wrong password accepted")
	}
	if h2 := HashPassword("correct horse", TestParams); h2 == h {
		t.Fatal("salt not random")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=x$AAAA$AAAA", "plain"} {
		if _, err := VerifyPassword("x", bad); err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

func TestSecrets(t *testing.T) {
	a, b := NewSecret("cdn_"), NewSecret("cdn_")
	if a == b || len(a) < 40 || a[:4] != "cdn_" {
		t.Fatalf("weak secrets %q %q", a, b)
	}
	if string(SecretHash(a)) == string(SecretHash(b)) || len(SecretHash(a)) != 32 {
		t.Fatal("bad secret hash")
	}
	if !Equal(a, a) || Equal(a, b) {
		t.Fatal("Equal is wrong")
	}
}
