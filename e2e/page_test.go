package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/tournament"
)

// browser starts headless Chromium (Debian's chromium package). Without
// it the test is skipped, except in CI (CI=true), where .ci/run installs it.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no Chromium: .ci/run installs Debian's chromium package")
		}
		t.Skip("no Chromium on this machine (apt-get install chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.WindowSize(1280, 900), chromedp.Flag("disable-gpu", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// screenshot saves the page as name in TOURNEY_SCREENSHOTS (the README's
// pictures: TOURNEY_SCREENSHOTS=docs), else in a temporary directory.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("TOURNEY_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// The bracket page in a real browser: it draws a 16-player bracket, shows a
// result posted through the API within a second, and after its host was
// killed and started again (a dropped connection) shows the change made
// meanwhile through another host, without a reload.
func TestBracketPageInABrowser(t *testing.T) {
	ctx := browser(t)
	r := testutil.StartRedis(t)
	dir := testutil.Binaries(t)
	addr := freeAddr(t)
	env := append(r.Env(), "TOURNEY_PRIMARY=redis", "LOG_LEVEL=info", "TOURNEY_PUBLIC_PAGES=true")
	a := testutil.StartHost(t, dir, append(env, "TOURNEY_HTTP_ADDR="+addr)...)
	b := testutil.StartHost(t, dir, env...)
	c := a.Client
	if _, err := c.Create(bg, tournament.CreateParams{ID: 16, Name: "Friday Night Pong", MaxPlayers: 16, CreatorID: 1}); err != nil {
		t.Fatal(err)
	}
	names := []string{"Ada", "Grace", "Linus", "Barbara", "Ken", "Dennis", "Margaret", "Edsger", "Frances", "Donald",
		"Radia", "Niklaus", "Shafi", "Leslie", "Joan", "Tim"}
	for u := int64(1); u <= 16; u++ {
		e := tournament.Entrant{UserID: 100 + u, Name: names[u-1]}
		if u == 3 {
			e.Name, e.Members = "Team Linus", []int64{301, 302}
		}
		if _, err := c.AddParticipant(bg, 16, e); err != nil {
			t.Fatal(err)
		}
	}
	tr, err := c.Start(bg, 16, false)
	if err != nil {
		t.Fatal(err)
	}
	// Round 1 done, two games of round 2 too: mid-tournament.
	for i := 0; i < 10 && err == nil; i++ {
		g := tr.ActiveGames()[0]
		tr, err = c.Result(bg, 16, g.GameID, g.Player1, 0)
	}
	if err != nil {
		t.Fatal(err)
	}
	wait := func(what, sel string) {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := chromedp.Do(wctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
			t.Fatalf("the page does not show %s (%s): %v", what, sel, err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("http://"+addr+"/t/16")); err != nil {
		t.Fatal(err)
	}
	wait("the bracket", `.game[data-game="11"]`)
	wait("the live marker", `#live:not(.off)`)
	text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#brackets")))
	for _, want := range []string{"Round 1", "Quarter-finals", "Semi-finals", "Final", "R1.3 · game 3", "Ada", "Team Linus"} {
		if !strings.Contains(text, want) || strings.Contains(text, "101") {
			t.Fatalf("the page lacks %q (or shows ids):\n%s", want, text)
		}
	}
	// A connector from every match to the next one: 8 + 4 + 2 (the final has none).
	if links, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".bracket").dataset.links`)); links != "14" {
		t.Fatalf("%s connectors, want 14", links)
	}
	label, _ := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`.game[data-game="1"]`), "aria-label"))
	if label.Value != "R1.1, game 1: Ada (seed 1) versus Tim (seed 16); Ada won" {
		t.Fatalf("game 1 reads to a screen reader as %q", label.Value)
	}
	if title, _ := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(".team"), "title")); title.Value != "Lineup: 301, 302" {
		t.Fatalf("a team's lineup on hover: %q", title.Value)
	}
	// A result through the API appears without a reload, within a second.
	g := tr.ActiveGames()[0]
	start := time.Now()
	if _, err := c.Result(bg, 16, g.GameID, g.Player2, 0); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, time.Second)
	err = chromedp.Do(wctx, chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.game[data-game="%d"] .p.won`, g.GameID))))
	cancel()
	if err != nil {
		t.Fatalf("the result did not show within a second: %v", err)
	}
	t.Logf("a result showed on the page after %v", time.Since(start).Round(time.Millisecond))
	screenshot(t, ctx, "bracket.png")
	// The page's host dies; a change is made through the other host; the
	// host comes back at the same address and the page shows the change.
	a.Kill()
	wait("that it lost the stream", `#live.off`)
	tr, _ = b.Client.Get(bg, 16)
	g = tr.ActiveGames()[0]
	if _, err := b.Client.Result(bg, 16, g.GameID, g.Player2, 0); err != nil {
		t.Fatal(err)
	}
	testutil.StartHost(t, dir, append(env, "TOURNEY_HTTP_ADDR="+addr)...)
	wait("the change made while it was disconnected", fmt.Sprintf(`.game[data-game="%d"] .p.won`, g.GameID))
	wait("the live marker again", `#live:not(.off)`)
}

// A phone-sized screen: the page lays the rounds out in a row that scrolls
// sideways, and a round robin shows its standings table.
func TestBracketPageOnAPhone(t *testing.T) {
	ctx := browser(t)
	h := testutil.StartHost(t, testutil.Binaries(t), "TOURNEY_PUBLIC_PAGES=true")
	c := h.Client
	if _, err := c.Create(bg,
		tournament.CreateParams{ID: 3, Name: "League", MaxPlayers: 6, CreatorID: 1, Format: tournament.RoundRobin}); err != nil {
		t.Fatal(err)
	}
	for u := int64(1); u <= 5; u++ {
		c.AddPlayer(bg, 3, u)
	}
	tr, err := c.Start(bg, 3, false)
	if err != nil {
		t.Fatal(err)
	}
	g := tr.ActiveGames()[0]
	c.Result(bg, 3, g.GameID, g.Player1, 0)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate("http://"+h.Addr+"/t/3"),
		chromedp.WaitVisible(chromedp.CSS("table"))); err != nil {
		t.Fatal(err)
	}
	width, err := chromedp.Run(wctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if width > 390 {
		t.Fatalf("the page is %d px wide on a 390 px screen (only the bracket row should scroll)", width)
	}
	// The index lists the live tournament with a link to its page.
	if err := chromedp.Do(wctx, chromedp.Navigate("http://"+h.Addr+"/")); err != nil {
		t.Fatal(err)
	}
	if links, err := chromedp.Run(wctx,
		chromedp.Evaluate[int](`document.querySelectorAll('a[href="/t/3"]').length`)); err != nil || links != 1 {
		t.Fatalf("the index links the tournament %d times (%v)", links, err)
	}
}
