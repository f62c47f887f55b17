package main

import (
	"bufio"
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/auth"
	"cordon/internal/hl7"
	"cordon/internal/mllp"
)

// A lab system sends results over MLLP: each message is stored as the
// token's lab account before its acknowledgement, and the acknowledgement
// says what happened.
func TestMLLPResults(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "cordon.db")
	acfg := app.DefaultConfig
	acfg.PasswordParams = auth.TestParams
	c := config{DB: "sqlite:" + dbPath, ReadConns: 2}
	db, a, err := c.open(ctx, slog.New(slog.DiscardHandler), acfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []cordon.AccountInput{
		{Username: "lab", Role: cordon.RoleLab, Jurisdiction: "451000", Password: "lab-password-1"},
		{Username: "viewer", Role: cordon.RoleViewer, Jurisdiction: "451000", Password: "viewer-password-1"},
	} {
		if _, err := a.CreateAccount(ctx, app.System, in); err != nil {
			t.Fatal(err)
		}
	}
	token, _, err := a.IssueToken(ctx, app.Credentials{Username: "lab", Password: "lab-password-1"}, "mllp", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	viewerToken, _, err := a.IssueToken(ctx, app.Credentials{Username: "viewer", Password: "viewer-password-1"}, "mllp", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	r, err := a.CreateRound(ctx, app.System, cordon.RoundInput{Name: "r", Jurisdiction: "451024"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.CreatePoint(ctx, app.System, cordon.SamplingPointInput{Name: "p", Jurisdiction: "451024", AllDay: true, Tables: 1})
	if err != nil {
		t.Fatal(err)
	}
	first17 := "45102419900101001"
	if _, err := a.RegisterSamples(ctx, app.System, []cordon.SampleInput{{Key: "k", RoundID: r.ID, PointID: p.ID, Tube: "DB0001", PoolSize: 10,
		IDNumber: first17 + string(cordon.CitizenIDCheck(first17))}}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// Only a token of an account that may upload results is accepted.
	bad := &Main{Config: config{DB: "sqlite:" + dbPath, Addr: "127.0.0.1:0", ReadConns: 2, MaxBody: 1 << 20, MaxInFlight: 8,
		MLLPAddr: "127.0.0.1:0", MLLPToken: viewerToken}, Log: slog.New(slog.DiscardHandler), AppConfig: &acfg}
	if err := bad.Open(ctx); err == nil || !strings.Contains(err.Error(), "--mllp-token") {
		t.Fatalf("a viewer's token was accepted for MLLP: %v", err)
	}

	m := startMainWith(t, dbPath, func(c *config) { c.MLLPAddr, c.MLLPToken = "127.0.0.1:0", token })
	conn, err := net.Dial("tcp", m.MLLPAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	send := func(msg string) hl7.Message {
		t.Helper()
		if _, err := conn.Write(mllp.Frame([]byte(msg))); err != nil {
			t.Fatal(err)
		}
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		ack, err := mllp.ReadFrame(bufio.NewReader(conn))
		if err != nil {
			t.Fatal(err)
		}
		ms, err := hl7.Parse(ack)
		if err != nil || len(ms) != 1 {
			t.Fatalf("acknowledgement %q: %v", ack, err)
		}
		return ms[0]
	}
	oru := func(control, specimen, result string) string {
		return "MSH|^~\\&|LIS|BSCDC|CORDON|GX|20220205080000+0800||ORU^R01^ORU_R01|" + control + "|P|2.5.1\r" +
			"PID|1||X^^^^PI||韦^某\r" +
			"OBR|1||" + specimen + "|94531-1^SARS-CoV-2 RNA panel^LN|||20220205070000+0800\r" +
			"OBX|1|CWE|94500-6^SARS-CoV-2 RNA Resp Ql NAA+probe^LN||" + result + "||||||F|||20220205070000+0800\r" +
			"SPM|1|" + specimen + "\r"
	}
	ack := send(oru("M1", "DB0001", "260415000^Not detected^SCT"))
	if ack.Value("MSA-1") != "AA" || ack.Value("MSA-2") != "M1" || !strings.Contains(ack.Value("MSA-3"), "1 matched") {
		t.Errorf("ack of a result for a known tube: %s", ack.Raw)
	}
	ack = send(oru("M2", "NOSUCHTUBE", "260373001^Detected^SCT"))
	if ack.Value("MSA-1") != "AA" || !strings.Contains(ack.Value("MSA-3"), "1 inbox") {
		t.Errorf("ack of a result kept in the inbox: %s", ack.Raw)
	}
	labActor := cordon.Actor{AccountID: 1, Role: cordon.RoleLab, Jurisdiction: "451000"}
	tube, err := m.App.Tube(ctx, app.System, "DB0001")
	if err != nil || tube.Status != cordon.TubeResulted || tube.Result != cordon.OutcomeNegative {
		t.Errorf("tube after the MLLP result: %+v %v", tube.Tube, err)
	}
	items, err := m.App.Inbox(ctx, labActor, 0, 10)
	if err != nil || len(items) != 1 || items[0].Barcode != "NOSUCHTUBE" || items[0].Format != "hl7" {
		t.Errorf("inbox: %+v %v", items, err)
	}
}
