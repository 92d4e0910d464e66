// Webhooks: registration, listing, removal and the delivery log.

package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/tourney/tourney/host"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

// webhookJSON is a webhook as the API shows it: the secret only in the
// answer to its creation.
type webhookJSON struct {
	ID          string                 `json:"id"`
	URL         string                 `json:"url"`
	Events      []tournament.EventType `json:"events"`
	Tournaments []int64                `json:"tournaments"`
	CreatedAt   time.Time              `json:"created_at"`
	Secret      string                 `json:"secret,omitempty"`
}

func webhookOut(w shared.Webhook, withSecret bool) webhookJSON {
	out := webhookJSON{ID: w.ID, URL: w.URL, Events: w.Events, Tournaments: w.Tournaments, CreatedAt: w.CreatedAt}
	if out.Events == nil {
		out.Events = []tournament.EventType{}
	}
	if out.Tournaments == nil {
		out.Tournaments = []int64{}
	}
	if withSecret {
		out.Secret = w.Secret
	}
	return out
}

// deliveryJSON is a delivery in the log, with the body it sends.
type deliveryJSON struct {
	shared.Delivery
	Body *host.DeliveryBody `json:"body,omitempty"`
}

func (s *server) createWebhook(w http.ResponseWriter, r *http.Request) {
	p, err := decode[host.WebhookParams](w, r, false)
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	hook, err := s.h.CreateWebhook(r.Context(), p)
	if err == nil {
		w.Header().Set("Location", "/v1/webhooks/"+hook.ID)
	}
	s.respond(w, http.StatusCreated, webhookOut(hook, true), err)
}

func (s *server) listWebhooks(w http.ResponseWriter, r *http.Request) {
	list, err := s.h.Webhooks(r.Context())
	out := make([]webhookJSON, len(list))
	for i, h := range list {
		out[i] = webhookOut(h, false)
	}
	s.respond(w, http.StatusOK, map[string]any{"webhooks": out}, err)
}

func (s *server) getWebhook(w http.ResponseWriter, r *http.Request) {
	hook, err := s.h.Webhook(r.Context(), r.PathValue("webhook_id"))
	s.respond(w, http.StatusOK, webhookOut(hook, false), err)
}

func (s *server) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	if err := s.h.DeleteWebhook(r.Context(), r.PathValue("webhook_id")); err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) webhookDeliveries(w http.ResponseWriter, r *http.Request) {
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > shared.DeliveryLogSize {
			s.respond(w, 0, nil, tournament.Errorf(tournament.CodeInvalidArgument,
				"limit must be a whole number from 1 to %d", shared.DeliveryLogSize))
			return
		}
		limit = n
	}
	list, err := s.h.WebhookDeliveries(r.Context(), r.PathValue("webhook_id"), limit)
	out := make([]deliveryJSON, len(list))
	for i, d := range list {
		out[i].Delivery = d
		var body host.DeliveryBody
		if json.Unmarshal(d.Payload, &body) == nil {
			out[i].Body = &body
		}
	}
	s.respond(w, http.StatusOK, map[string]any{"deliveries": out}, err)
}
