package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cordon"
	"cordon/internal/apptest"
	"cordon/internal/demo"
)

// browser starts a fresh headless Chromium profile.
func browser(t *testing.T, exe string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(390, 844), // a phone
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

func login(base, user, password string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitNotPresent(chromedp.ID("password")),
	)
}

// TestBrowserPersonJourney drives the pages in a real headless Chromium: the
// Debao epidemiologist signs in, registers a person, finds them in the list;
// the Nanning commander cannot open that person.
func TestBrowserPersonJourney(t *testing.T) {
	exe := apptest.Chromium(t)
	m := startMain(t, filepath.Join(t.TempDir(), "e2e.db"))
	const pw = "e2e-password"
	if _, err := demo.Load(context.Background(), m.App, demo.Options{Password: pw, Residents: 20, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	base := m.URL()
	first := "45102419880808004"
	idNumber := first + string(cordon.CitizenIDCheck(first))
	const name = "蓝测试"

	ctx := browser(t, exe)
	var personURL, body string
	err := chromedp.Do(ctx,
		login(base, "debao", pw),
		chromedp.Navigate(base+"/persons/new"),
		chromedp.WaitVisible(chromedp.ID("name")),
		chromedp.SendKeys(chromedp.ID("name"), name),
		chromedp.SendKeys(chromedp.ID("id_number"), idNumber),
		chromedp.SendKeys(chromedp.ID("phone"), "13977001234"),
		chromedp.SetValue(chromedp.ID("residence"), "451024200202"),
		chromedp.SendKeys(chromedp.ID("address"), "福记村陇意屯9号"),
		chromedp.Submit(chromedp.ID("name")),
		chromedp.WaitNotPresent(chromedp.ID("id_number")),
	)
	if err == nil {
		personURL, err = chromedp.Run(ctx, chromedp.Location())
	}
	if err == nil {
		body, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	}
	if err != nil {
		t.Fatalf("creating a person in the browser: %v", err)
	}
	if !regexp.MustCompile(`/persons/\d+$`).MatchString(personURL) || !strings.Contains(body, name) || !strings.Contains(body, idNumber) {
		t.Fatalf("after creation at %s the page shows:\n%s", personURL, body)
	}

	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/persons?q="+name),
		chromedp.WaitVisible(chromedp.ID("q")),
	)
	if err == nil {
		body, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	}
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, name) {
		t.Fatalf("the list does not show %s:\n%s", name, body)
	}

	other := browser(t, exe)
	err = chromedp.Do(other,
		login(base, "nanning", pw),
		chromedp.Navigate(personURL),
		chromedp.WaitReady(chromedp.CSS("body")),
	)
	if err == nil {
		body, err = chromedp.Run(other, chromedp.Text(chromedp.CSS("body")))
	}
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(body, name) || strings.Contains(body, idNumber) || strings.Contains(body, cordon.MaskDocNumber(idNumber)) {
		t.Fatalf("nanning sees the Debao person:\n%s", body)
	}
	if !strings.Contains(body, "404") && !strings.Contains(body, "不存在") && !strings.Contains(body, "未找到") {
		t.Fatalf("nanning's page is not a not-found page:\n%s", body)
	}
}
