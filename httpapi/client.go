package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tourney/tourney/host"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

// Client calls a running tourney server. Errors the server reports come
// back as *tournament.Error with the server's code and message.
type Client struct {
	BaseURL string // e.g. http://127.0.0.1:8080
	Token   string // bearer token, when the server wants one
	Actor   string // sent as X-Actor-ID
	HTTP    *http.Client
}

// NewClient returns a client for addr ("host:port" or a URL).
func NewClient(addr string) *Client {
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	return &Client{BaseURL: strings.TrimRight(addr, "/"), HTTP: &http.Client{Timeout: 30 * time.Second}}
}

// Do sends a request and decodes a JSON answer into out (when not nil).
func (c *Client) Do(ctx context.Context, method, path string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, body)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.Actor != "" {
		req.Header.Set("X-Actor-ID", c.Actor)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return tournament.Errorf(tournament.CodeUnavailable, "cannot reach tourney at %s: %v", c.BaseURL, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return tournament.Errorf(tournament.CodeUnavailable, "reading the answer: %v", err)
	}
	if resp.StatusCode >= 300 {
		var e errorJSON
		if json.Unmarshal(data, &e) != nil || e.Error.Code == "" {
			return tournament.Errorf(tournament.CodeInternal, "%s %s: HTTP %d: %s", method, path, resp.StatusCode, bytes.TrimSpace(data))
		}
		de := &tournament.Error{Code: tournament.Code(e.Error.Code), Message: e.Error.Message, Reason: e.Error.Reason}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
			de.RetryAfter = time.Duration(s) * time.Second
		}
		return de
	}
	if out == nil {
		return nil
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = data
		return nil
	}
	return json.Unmarshal(data, out)
}

func jsonBody(v any) io.Reader {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}

func (c *Client) tournament(ctx context.Context, method, path string, body any) (*tournament.Tournament, error) {
	var r io.Reader
	if body != nil {
		r = jsonBody(body)
	}
	var t tournament.Tournament
	if err := c.Do(ctx, method, path, r, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// Create creates a tournament.
func (c *Client) Create(ctx context.Context, p tournament.CreateParams) (*tournament.Tournament, error) {
	return c.tournament(ctx, "POST", "/v1/tournaments", p)
}

// Get returns a tournament.
func (c *Client) Get(ctx context.Context, id int64) (*tournament.Tournament, error) {
	return c.tournament(ctx, "GET", fmt.Sprintf("/v1/tournaments/%d", id), nil)
}

// List returns the pending and active tournaments.
func (c *Client) List(ctx context.Context) ([]tournament.Summary, error) {
	var out struct {
		Tournaments []tournament.Summary `json:"tournaments"`
	}
	err := c.Do(ctx, "GET", "/v1/tournaments", nil, &out)
	return out.Tournaments, err
}

// Remove deletes a tournament.
func (c *Client) Remove(ctx context.Context, id int64) error {
	return c.Do(ctx, "DELETE", fmt.Sprintf("/v1/tournaments/%d", id), nil, nil)
}

// AddPlayer adds a player.
func (c *Client) AddPlayer(ctx context.Context, id, user int64) (*tournament.Tournament, error) {
	return c.tournament(ctx, "POST", fmt.Sprintf("/v1/tournaments/%d/players", id), map[string]int64{"user_id": user})
}

// AddParticipant registers a participant with its record.
func (c *Client) AddParticipant(ctx context.Context, id int64, e tournament.Entrant) (*tournament.Tournament, error) {
	return c.tournament(ctx, "POST", fmt.Sprintf("/v1/tournaments/%d/players", id), e)
}

// AddParticipants registers several participants at once (all or none).
func (c *Client) AddParticipants(ctx context.Context, id int64, es []tournament.Entrant) (*tournament.Tournament, error) {
	return c.tournament(ctx, "POST", fmt.Sprintf("/v1/tournaments/%d/players", id), map[string]any{"participants": es})
}

// ParticipantPatch is a change of a participant's record: the fields set
// replace the stored ones; ClearRating and a Meta of {} clear those.
type ParticipantPatch struct {
	Name        *string
	Rating      *float64
	ClearRating bool
	Meta        json.RawMessage
	Members     *[]int64
}

// UpdateParticipant changes a participant's record.
func (c *Client) UpdateParticipant(ctx context.Context, id, user int64, p ParticipantPatch) (*tournament.Tournament, error) {
	body := map[string]any{}
	if p.Name != nil {
		body["name"] = *p.Name
	}
	switch {
	case p.ClearRating:
		body["rating"] = nil
	case p.Rating != nil:
		body["rating"] = *p.Rating
	}
	if p.Meta != nil {
		body["meta"] = p.Meta
	}
	if p.Members != nil {
		body["members"] = *p.Members
	}
	return c.tournament(ctx, "PATCH", fmt.Sprintf("/v1/tournaments/%d/players/%d", id, user), body)
}

// SetSeeds sets the manual seed order before the start ([] clears it).
func (c *Client) SetSeeds(ctx context.Context, id int64, seeds []int64) (*tournament.Tournament, error) {
	if seeds == nil {
		seeds = []int64{}
	}
	return c.tournament(ctx, "PUT", fmt.Sprintf("/v1/tournaments/%d/seeds", id), map[string][]int64{"seeds": seeds})
}

// SwapSeeds swaps two participants in the manual seed order.
func (c *Client) SwapSeeds(ctx context.Context, id, a, b int64) (*tournament.Tournament, error) {
	return c.tournament(ctx, "POST", fmt.Sprintf("/v1/tournaments/%d/seeds/swap", id), map[string]int64{"a": a, "b": b})
}

// StartSeeded starts a tournament seeded by seeding (join, random, rating
// or manual, with seeds).
func (c *Client) StartSeeded(ctx context.Context, id int64, seeding string, seeds []int64) (*tournament.Tournament, error) {
	body := map[string]any{}
	if seeding != "" {
		body["seeding"] = seeding
	}
	if seeds != nil {
		body["seeds"] = seeds
	}
	return c.tournament(ctx, "POST", fmt.Sprintf("/v1/tournaments/%d/start", id), body)
}

// RemovePlayer removes a player.
func (c *Client) RemovePlayer(ctx context.Context, id, user int64) (*tournament.Tournament, error) {
	return c.tournament(ctx, "DELETE", fmt.Sprintf("/v1/tournaments/%d/players/%d", id, user), nil)
}

// Start starts a tournament.
func (c *Client) Start(ctx context.Context, id int64, shuffle bool) (*tournament.Tournament, error) {
	return c.tournament(ctx, "POST", fmt.Sprintf("/v1/tournaments/%d/start", id), map[string]bool{"shuffle": shuffle})
}

// Result registers a game's result (loser 0 = not given).
func (c *Client) Result(ctx context.Context, id, game, winner, loser int64) (*tournament.Tournament, error) {
	body := map[string]int64{"winner_id": winner}
	if loser != 0 {
		body["loser_id"] = loser
	}
	return c.tournament(ctx, "POST", fmt.Sprintf("/v1/tournaments/%d/games/%d/result", id, game), body)
}

// ResultWithScores records a result with its series' scores (player_1's
// first).
func (c *Client) ResultWithScores(ctx context.Context, id, game, winner int64, scores [][2]int) (*tournament.Tournament, error) {
	return c.tournament(ctx, "POST", fmt.Sprintf("/v1/tournaments/%d/games/%d/result", id, game),
		map[string]any{"winner_id": winner, "scores": scores})
}

// Correction is the answer to a correction: what it did (or, for a dry
// run, would do) and, unless a dry run, the tournament after it.
type Correction struct {
	DryRun     bool                   `json:"dry_run"`
	Impact     tournament.Impact      `json:"impact"`
	Tournament *tournament.Tournament `json:"tournament,omitempty"`
}

// Correct changes a decided game's winner (dryRun: only says what it would
// do); expectedVersion 0 applies at any version.
func (c *Client) Correct(ctx context.Context, id, game, winner, expectedVersion int64, dryRun bool, scores ...[2]int) (Correction, error) {
	return c.CorrectResult(ctx, id, game,
		CorrectRequest{WinnerID: winner, ExpectedVersion: expectedVersion, DryRun: dryRun, Scores: scores})
}

// CorrectRequest is a correction's body (see POST .../correct).
type CorrectRequest struct {
	WinnerID int64 `json:"winner_id,omitempty"` // 0 with Forfeit: a double forfeit
	// Forfeit: the corrected result is a walkover.
	Forfeit         bool     `json:"forfeit,omitempty"`
	Scores          [][2]int `json:"scores,omitempty"`
	DryRun          bool     `json:"dry_run,omitempty"`
	ExpectedVersion int64    `json:"expected_version,omitempty"`
}

// CorrectResult changes a decided game's result as req says.
func (c *Client) CorrectResult(ctx context.Context, id, game int64, req CorrectRequest) (Correction, error) {
	var out Correction
	body, _ := json.Marshal(req)
	err := c.Do(ctx, "POST", fmt.Sprintf("/v1/tournaments/%d/games/%d/correct", id, game), bytes.NewReader(body), &out)
	return out, err
}

// Forfeit records a walkover for winner (0: a double forfeit).
func (c *Client) Forfeit(ctx context.Context, id, game, winner int64) (*tournament.Tournament, error) {
	body := map[string]any{"forfeit": true}
	if winner != 0 {
		body["winner_id"] = winner
	}
	return c.tournament(ctx, "POST", fmt.Sprintf("/v1/tournaments/%d/games/%d/result", id, game), body)
}

// CheckIn checks a registered player in.
func (c *Client) CheckIn(ctx context.Context, id, user int64) (*tournament.Tournament, error) {
	return c.tournament(ctx, "POST", fmt.Sprintf("/v1/tournaments/%d/players/%d/check-in", id, user), nil)
}

// Disqualify removes a player from an active tournament.
func (c *Client) Disqualify(ctx context.Context, id, user int64) (*tournament.Tournament, error) {
	return c.tournament(ctx, "POST", fmt.Sprintf("/v1/tournaments/%d/players/%d/disqualify", id, user), nil)
}

// CallGame sends a game's players to play.
func (c *Client) CallGame(ctx context.Context, id, game int64) (*tournament.Tournament, error) {
	return c.tournament(ctx, "POST", fmt.Sprintf("/v1/tournaments/%d/games/%d/call", id, game), nil)
}

// StartGame records that a game began.
func (c *Client) StartGame(ctx context.Context, id, game int64) (*tournament.Tournament, error) {
	return c.tournament(ctx, "POST", fmt.Sprintf("/v1/tournaments/%d/games/%d/start", id, game), nil)
}

// End ends an active tournament now.
func (c *Client) End(ctx context.Context, id int64) (*tournament.Tournament, error) {
	return c.tournament(ctx, "POST", fmt.Sprintf("/v1/tournaments/%d/end", id), nil)
}

// PlayerTournaments lists the live tournaments a player is in.
func (c *Client) PlayerTournaments(ctx context.Context, user int64) ([]tournament.Summary, error) {
	var out struct {
		Tournaments []tournament.Summary `json:"tournaments"`
	}
	err := c.Do(ctx, "GET", fmt.Sprintf("/v1/players/%d/tournaments", user), nil, &out)
	return out.Tournaments, err
}

// Standings returns a tournament's standings.
func (c *Client) Standings(ctx context.Context, id int64) (tournament.Standings, error) {
	var st tournament.Standings
	err := c.Do(ctx, "GET", fmt.Sprintf("/v1/tournaments/%d/standings", id), nil, &st)
	return st, err
}

// Export returns the JSON Lines export.
func (c *Client) Export(ctx context.Context) ([]byte, error) {
	var out []byte
	err := c.Do(ctx, "GET", "/v1/export", nil, &out)
	return out, err
}

// Import sends JSON Lines and returns how many tournaments were imported.
func (c *Client) Import(ctx context.Context, lines io.Reader) (int, error) {
	var out struct {
		Imported int `json:"imported"`
	}
	err := c.Do(ctx, "POST", "/v1/import", lines, &out)
	return out.Imported, err
}

// Status returns the server's status.
func (c *Client) Status(ctx context.Context) (host.Status, error) {
	var st host.Status
	err := c.Do(ctx, "GET", "/v1/status", nil, &st)
	return st, err
}

// Conflicts returns a tournament's recorded failback conflicts.
func (c *Client) Conflicts(ctx context.Context, id int64) ([]shared.Conflict, error) {
	var out struct {
		Conflicts []shared.Conflict `json:"conflicts"`
	}
	err := c.Do(ctx, "GET", fmt.Sprintf("/v1/tournaments/%d/conflicts", id), nil, &out)
	return out.Conflicts, err
}

// CreateWebhook registers a webhook; the answer carries its secret.
func (c *Client) CreateWebhook(ctx context.Context, p host.WebhookParams) (shared.Webhook, error) {
	var w shared.Webhook
	err := c.Do(ctx, "POST", "/v1/webhooks", jsonBody(p), &w)
	return w, err
}

// Webhooks lists the registered webhooks (without secrets).
func (c *Client) Webhooks(ctx context.Context) ([]shared.Webhook, error) {
	var out struct {
		Webhooks []shared.Webhook `json:"webhooks"`
	}
	err := c.Do(ctx, "GET", "/v1/webhooks", nil, &out)
	return out.Webhooks, err
}

// DeleteWebhook removes a webhook.
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	return c.Do(ctx, "DELETE", "/v1/webhooks/"+url.PathEscape(id), nil, nil)
}

// WebhookDeliveries returns a webhook's most recent deliveries, newest
// first (limit 0: the server's default of 50).
func (c *Client) WebhookDeliveries(ctx context.Context, id string, limit int) ([]shared.Delivery, error) {
	path := "/v1/webhooks/" + url.PathEscape(id) + "/deliveries"
	if limit > 0 {
		path += "?limit=" + strconv.Itoa(limit)
	}
	var out struct {
		Deliveries []shared.Delivery `json:"deliveries"`
	}
	err := c.Do(ctx, "GET", path, nil, &out)
	return out.Deliveries, err
}
