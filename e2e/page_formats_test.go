package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/tourney/tourney/httpapi"
	"github.com/tourney/tourney/internal/testutil"
	"github.com/tourney/tourney/tournament"
)

// named creates tournament id of n named participants (ids 1..n) and starts it.
func named(t *testing.T, c *httpapi.Client, p tournament.CreateParams, n int) *tournament.Tournament {
	t.Helper()
	for i := 1; i <= n; i++ {
		p.Participants = append(p.Participants, tournament.Entrant{UserID: int64(i), Name: fmt.Sprintf("P%02d", i)})
	}
	if _, err := c.Create(bg, p); err != nil {
		t.Fatal(err)
	}
	tr, err := c.Start(bg, p.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// playAll plays every game, player_1 winning, until the tournament ends
// or stop says so.
func playAll(t *testing.T, c *httpapi.Client, tr *tournament.Tournament, stop func(*tournament.Tournament) bool) *tournament.Tournament {
	t.Helper()
	for tr.Status == tournament.StatusActive && (stop == nil || !stop(tr)) {
		g := tr.ActiveGames()[0]
		var err error
		if tr, err = c.Result(bg, tr.ID, g.GameID, g.Player1, 0); err != nil {
			t.Fatal(err)
		}
	}
	return tr
}

func evalString(t *testing.T, ctx context.Context, js string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

func open(t *testing.T, ctx context.Context, url, sel string) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		t.Fatalf("%s does not show %s: %v", url, sel, err)
	}
}

// Every format draws with people's labels, names and seeds, and a
// connector from each elimination match to the one its winner goes to.
func TestBracketPageLabelsAndConnectorsPerFormat(t *testing.T) {
	ctx := browser(t)
	h := testutil.StartHost(t, testutil.Binaries(t), "TOURNEY_PUBLIC_PAGES=true")
	c := h.Client
	base := "http://" + h.Addr + "/t/"

	// Double elimination, 16 players, played out (player_1 always wins, so
	// no grand-final reset): winners 8, 4, 2, 1 matches and the grand
	// final; losers 4, 4, 2, 2, 1, 1.
	de := playAll(t, c, named(t, c, tournament.CreateParams{ID: 1, Name: "DE", MaxPlayers: 16, CreatorID: 1,
		Format: tournament.DoubleElimination}, 16), nil)
	open(t, ctx, base+"1", `.game[data-game="1"]`)
	text := evalString(t, ctx, `document.querySelector("#brackets").innerText`)
	for _, want := range []string{"Winners' bracket", "Winners R1", "Winners R4", "Losers R1", "Losers R6", "Grand final",
		"W1.1 · game 1 · loser to L1.1", "W2.2", "L2.1", "GF.1", "P01"} {
		if !strings.Contains(text, want) {
			t.Fatalf("the double elimination lacks %q:\n%s", want, text)
		}
	}
	// Every "loser to Lk.m" names the losers' match the loser played next.
	wrong := evalString(t, ctx, `(() => {
		const lb = [...document.querySelectorAll('.bracket[data-bracket="losers"] .round')];
		const bad = [];
		for (const g of document.querySelectorAll('.bracket[data-bracket="winners"] .game[data-game]')) {
			const m = g.innerText.match(/loser to L(\d+)\.(\d+)/);
			const loser = g.querySelector(".p.lost");
			if (!m || !loser) continue;
			const dest = lb[m[1] - 1].querySelectorAll(".games > .game")[m[2] - 1];
			if (!dest || !dest.querySelector('.p[data-player="' + loser.dataset.player + '"]')) bad.push(g.dataset.game);
		}
		return bad.join(",");
	})()`)
	if wrong != "" {
		t.Fatalf("games %s send their loser elsewhere than the page says", wrong)
	}
	// Hovering a winners' match draws its loser's connector.
	if n := evalString(t, ctx, `(() => { document.querySelector('.game[data-game="5"]').dispatchEvent(new MouseEvent("mouseover", {bubbles: true}));
		return String(document.querySelectorAll("svg.drop path").length); })()`); n != "1" {
		t.Fatalf("a hovered winners' match draws %s loser connectors, want 1", n)
	}
	links := evalString(t, ctx, `[...document.querySelectorAll(".bracket")].map((b) => b.dataset.bracket + ":" + b.dataset.links).join(" ")`)
	if links != "winners:15 losers:13" {
		t.Fatalf("connectors %s, want winners:15 losers:13", links)
	}
	if de.WinnerID == nil || !strings.Contains(evalString(t, ctx, `document.querySelector("#status").innerText`), "champion P01") {
		t.Fatal("the champion is not named")
	}
	// The README's picture: a double elimination mid-event.
	mid := named(t, c, tournament.CreateParams{ID: 5, Name: "Saturday Doubles", MaxPlayers: 8, CreatorID: 1,
		Format: tournament.DoubleElimination, BestOf: 3}, 8)
	mid = playAll(t, c, mid, func(tr *tournament.Tournament) bool { return tr.CurrentRound >= 5 })
	open(t, ctx, base+"5", fmt.Sprintf(`.game[data-game="%d"]`, mid.ActiveGames()[0].GameID))
	screenshot(t, ctx, "double-elimination.png")

	// Swiss and round robin: "Round k of n", standings by name, no connectors.
	named(t, c, tournament.CreateParams{ID: 2, Name: "Swiss", MaxPlayers: 8, CreatorID: 1, Format: tournament.Swiss}, 8)
	open(t, ctx, base+"2", `.game[data-game="1"]`)
	if text := evalString(t, ctx, `document.body.innerText`); !strings.Contains(text, "Round 1 of 3") || !strings.Contains(text, "Standings") {
		t.Fatalf("swiss:\n%s", text)
	}
	named(t, c, tournament.CreateParams{ID: 3, Name: "RR", MaxPlayers: 5, CreatorID: 1, Format: tournament.RoundRobin}, 5)
	open(t, ctx, base+"3", `.game[data-game="1"]`)
	if text := evalString(t, ctx, `document.body.innerText`); !strings.Contains(text, "Round 1 of 5") {
		t.Fatalf("round robin:\n%s", text)
	}
	if n := evalString(t, ctx, `String(document.querySelectorAll("svg.links path").length)`); n != "0" {
		t.Fatalf("round robin draws %s connectors", n)
	}

	// Single elimination with a third-place match; 6 players: byes.
	se := named(t, c, tournament.CreateParams{ID: 4, Name: "SE", MaxPlayers: 8, CreatorID: 1,
		Options: tournament.Options{ThirdPlaceMatch: true}}, 6)
	playAll(t, c, se, nil)
	open(t, ctx, base+"4", `.game[data-game="1"]`)
	text = evalString(t, ctx, `document.querySelector("#brackets").innerText`)
	for _, want := range []string{"Semi-finals", "Final", "Third place", "P01 · bye"} {
		if !strings.Contains(text, want) {
			t.Fatalf("single elimination lacks %q:\n%s", want, text)
		}
	}
	// 4 matches (2 of them byes) -> 2 -> 1: 6 connectors... but a bye is a
	// match too: 4 + 2.
	if links := evalString(t, ctx, `document.querySelector('.bracket[data-bracket="winners"]').dataset.links`); links != "6" {
		t.Fatalf("%s connectors in the bracket, want 6", links)
	}
}

// The embed mode in a page of another origin: no header, a transparent
// background, its height posted to the parent; the policy lets only the
// configured origins frame it. The overlay shows the current round and
// the next in large type; the dark theme is dark.
func TestBracketPageEmbedOverlayAndTheme(t *testing.T) {
	ctx := browser(t)
	parent := httptest.NewServer(nil)
	defer parent.Close()
	h := testutil.StartHost(t, testutil.Binaries(t), "TOURNEY_PUBLIC_PAGES=true", "TOURNEY_PAGE_FRAME_ANCESTORS='self' "+parent.URL)
	c := h.Client
	tr := named(t, c, tournament.CreateParams{ID: 16, Name: "Embedded", MaxPlayers: 16, CreatorID: 1}, 16)
	playAll(t, c, tr, func(tr *tournament.Tournament) bool { return tr.CurrentRound == 2 })
	page := "http://" + h.Addr + "/t/16"
	parent.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><body><script>window.heights=[];addEventListener("message",(e)=>{if(e.data&&e.data.type==="tourney:height")window.heights.push(e.data.height)});</script>`+
			`<iframe id="f" src="%s?embed=1&theme=dark" width="900" height="400"></iframe></body>`, page)
	})
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.Navigate(parent.URL)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(wctx, chromedp.Poll[bool](`window.heights.length > 0`)); err != nil {
		t.Fatalf("the embedded page posted no height: %v", err)
	}
	if hs := evalString(t, ctx, `String(window.heights[window.heights.length-1])`); hs == "0" {
		t.Fatalf("posted height %s", hs)
	}
	resp, err := http.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self' "+parent.URL) ||
		!strings.Contains(csp, "script-src 'sha256-") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("policy %q", csp)
	}
	// The embedded page itself: no header, transparent, dark.
	open(t, ctx, page+"?embed=1&theme=dark", `.game[data-game="9"]`)
	got := evalString(t, ctx, `[getComputedStyle(document.querySelector("header")).display, getComputedStyle(document.body).backgroundColor,
		getComputedStyle(document.querySelector(".game")).backgroundColor].join("|")`)
	if got != "none|rgba(0, 0, 0, 0)|rgb(28, 32, 41)" {
		t.Fatalf("embed, dark: header display, body and card colours %s", got)
	}
	// The overlay: the quarter-finals being played and the semi-finals.
	open(t, ctx, page+"?overlay=1", `.game[data-game="9"]`)
	heads := evalString(t, ctx, `[...document.querySelectorAll(".round h3")].map((h) => h.innerText).join(",")`)
	if heads != "Quarter-finals,Semi-finals" {
		t.Fatalf("the overlay shows %s", heads)
	}
	if size := evalString(t, ctx, `getComputedStyle(document.body).fontSize`); size != "22px" {
		t.Fatalf("overlay type %s", size)
	}
	screenshot(t, ctx, "overlay.png")
}

// Big brackets: a 1024-player single elimination and a 256-player double
// elimination, drawn and redrawn; the times are logged (docs/BENCHMARKS.md
// has them), not asserted.
func TestBracketPageDrawsBigBrackets(t *testing.T) {
	ctx := browser(t)
	h := testutil.StartHost(t, testutil.Binaries(t), "TOURNEY_PUBLIC_PAGES=true")
	c := h.Client
	for _, tc := range []struct {
		id      int64
		n       int
		format  tournament.Format
		results int
	}{{1, 8, tournament.SingleElimination, 0}, {2, 1024, tournament.SingleElimination, 0},
		{3, 256, tournament.DoubleElimination, 200}} {
		tr := named(t, c, tournament.CreateParams{ID: tc.id, Name: "Big", MaxPlayers: tc.n, CreatorID: 1, Format: tc.format}, tc.n)
		left := tc.results
		tr = playAll(t, c, tr, func(*tournament.Tournament) bool { left--; return left < 0 })
		open(t, ctx, fmt.Sprintf("http://%s/t/%d", h.Addr, tc.id), fmt.Sprintf(`.game[data-game="%d"]`, tr.ActiveGames()[0].GameID))
		first := evalString(t, ctx, `String(Math.round(window.tourneyRender.ms))`)
		games := evalString(t, ctx, `String(document.querySelectorAll(".game[data-game]").length)`)
		// A result: from its answer to the page showing it.
		g := tr.ActiveGames()[0]
		if _, err := c.Result(bg, tc.id, g.GameID, g.Player2, 0); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := chromedp.Do(wctx, chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.game[data-game="%d"] .p.won`, g.GameID))))
		cancel()
		if err != nil {
			t.Fatalf("%d players: the result did not show: %v", tc.n, err)
		}
		shown := time.Since(start)
		redraw := evalString(t, ctx, `String(Math.round(window.tourneyRender.ms))`)
		t.Logf("%s, %d players (%s games drawn): first draw %s ms; a result shown %v after its answer (its redraw %s ms)",
			tc.format, tc.n, games, first, shown.Round(time.Millisecond), redraw)
	}
}
