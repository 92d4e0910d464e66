// The webhook part of the protocol, both sides, and its conversions.

package wire

import (
	"context"
	"time"

	"github.com/tourney/tourney/shared/internal/contract"
	pb "github.com/tourney/tourney/shared/internal/proto"
	"github.com/tourney/tourney/tournament"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

var _ contract.WebhookStore = (*GRPCClient)(nil)

func webhookToPB(w contract.Webhook) *pb.Webhook {
	m := &pb.Webhook{Id: w.ID, Url: w.URL, Secret: w.Secret, Tournaments: w.Tournaments, CreatedAtUnixNano: unixNano(w.CreatedAt)}
	for _, e := range w.Events {
		m.Events = append(m.Events, string(e))
	}
	return m
}

func webhookFromPB(m *pb.Webhook) contract.Webhook {
	w := contract.Webhook{ID: m.GetId(), URL: m.GetUrl(), Secret: m.GetSecret(), Tournaments: m.GetTournaments(),
		CreatedAt: fromUnixNano(m.GetCreatedAtUnixNano())}
	for _, e := range m.GetEvents() {
		w.Events = append(w.Events, tournament.EventType(e))
	}
	return w
}

func deliveryToPB(d contract.Delivery) *pb.Delivery {
	return &pb.Delivery{Id: d.ID, WebhookId: d.WebhookID, EventType: d.EventType, Payload: d.Payload, Status: d.Status,
		Attempts: int32(d.Attempts), LastStatus: int32(d.LastStatus), LastError: d.LastError,
		CreatedAtUnixNano: unixNano(d.CreatedAt), UpdatedAtUnixNano: unixNano(d.UpdatedAt), NextAttemptUnixNano: unixNano(d.NextAttempt)}
}

func deliveryFromPB(m *pb.Delivery) contract.Delivery {
	return contract.Delivery{ID: m.GetId(), WebhookID: m.GetWebhookId(), EventType: m.GetEventType(), Payload: m.GetPayload(), Status: m.GetStatus(),
		Attempts: int(m.GetAttempts()), LastStatus: int(m.GetLastStatus()), LastError: m.GetLastError(),
		CreatedAt: fromUnixNano(m.GetCreatedAtUnixNano()), UpdatedAt: fromUnixNano(m.GetUpdatedAtUnixNano()), NextAttempt: fromUnixNano(m.GetNextAttemptUnixNano())}
}

func deliveriesToPB(ds []contract.Delivery) *pb.DeliveryList {
	return &pb.DeliveryList{Deliveries: convertAll(ds, deliveryToPB)}
}

func deliveriesFromPB(l *pb.DeliveryList, err error) ([]contract.Delivery, error) {
	if err != nil {
		return nil, webhookErr(err)
	}
	return convertAll(l.GetDeliveries(), deliveryFromPB), nil
}

// webhookErr maps Unimplemented (a plugin without webhooks) to
// ErrNoWebhooks and the rest as every other call does.
func webhookErr(err error) error {
	if err == nil {
		return nil
	}
	if status.Code(err) == codes.Unimplemented {
		return contract.ErrNoWebhooks
	}
	return FromStatus(err)
}

// PutWebhook implements WebhookStore.
func (c *GRPCClient) PutWebhook(ctx context.Context, w contract.Webhook) error {
	if !c.serves(contract.CapWebhooks) {
		return contract.ErrNoWebhooks
	}
	_, err := c.client.PutWebhook(ctx, webhookToPB(w))
	return webhookErr(err)
}

// Webhooks implements WebhookStore.
func (c *GRPCClient) Webhooks(ctx context.Context) ([]contract.Webhook, error) {
	if !c.serves(contract.CapWebhooks) {
		return nil, contract.ErrNoWebhooks
	}
	r, err := c.client.Webhooks(ctx, &pb.WebhooksRequest{})
	if err != nil {
		return nil, webhookErr(err)
	}
	return convertAll(r.GetWebhooks(), webhookFromPB), nil
}

// DeleteWebhook implements WebhookStore.
func (c *GRPCClient) DeleteWebhook(ctx context.Context, id string) error {
	if !c.serves(contract.CapWebhooks) {
		return contract.ErrNoWebhooks
	}
	_, err := c.client.DeleteWebhook(ctx, &pb.WebhookRef{Id: id})
	return webhookErr(err)
}

// EnqueueDeliveries implements WebhookStore.
func (c *GRPCClient) EnqueueDeliveries(ctx context.Context, ds []contract.Delivery) error {
	if !c.serves(contract.CapWebhooks) {
		return contract.ErrNoWebhooks
	}
	_, err := c.client.EnqueueDeliveries(ctx, deliveriesToPB(ds))
	return webhookErr(err)
}

// ClaimDeliveries implements WebhookStore.
func (c *GRPCClient) ClaimDeliveries(ctx context.Context, req contract.ClaimRequest) ([]contract.Delivery, error) {
	if !c.serves(contract.CapWebhooks) {
		return nil, contract.ErrNoWebhooks
	}
	return deliveriesFromPB(c.client.ClaimDeliveries(ctx,
		&pb.ClaimRequest{NowUnixNano: unixNano(req.Now), LeaseNanos: int64(req.Lease), Max: int32(req.Max)}))
}

// SaveDelivery implements WebhookStore.
func (c *GRPCClient) SaveDelivery(ctx context.Context, d contract.Delivery) error {
	if !c.serves(contract.CapWebhooks) {
		return contract.ErrNoWebhooks
	}
	_, err := c.client.SaveDelivery(ctx, deliveryToPB(d))
	return webhookErr(err)
}

// Deliveries implements WebhookStore.
func (c *GRPCClient) Deliveries(ctx context.Context, webhookID string, limit int) ([]contract.Delivery, error) {
	if !c.serves(contract.CapWebhooks) {
		return nil, contract.ErrNoWebhooks
	}
	return deliveriesFromPB(c.client.Deliveries(ctx, &pb.DeliveriesRequest{WebhookId: webhookID, Limit: int32(limit)}))
}

func (s *GRPCServer) webhooks() (contract.WebhookStore, error) {
	return part(s.Impl, contract.WebhookStoreOf, contract.ErrNoWebhooks)
}

// PutWebhook implements pb.BackendServer.
func (s *GRPCServer) PutWebhook(ctx context.Context, m *pb.Webhook) (*pb.WebhookAck, error) {
	ws, err := s.webhooks()
	if err != nil {
		return nil, err
	}
	return &pb.WebhookAck{}, ToStatus(ws.PutWebhook(ctx, webhookFromPB(m)))
}

// Webhooks implements pb.BackendServer.
func (s *GRPCServer) Webhooks(ctx context.Context, _ *pb.WebhooksRequest) (*pb.WebhooksReply, error) {
	ws, err := s.webhooks()
	if err != nil {
		return nil, err
	}
	list, err := ws.Webhooks(ctx)
	if err != nil {
		return nil, ToStatus(err)
	}
	return &pb.WebhooksReply{Webhooks: convertAll(list, webhookToPB)}, nil
}

// DeleteWebhook implements pb.BackendServer.
func (s *GRPCServer) DeleteWebhook(ctx context.Context, m *pb.WebhookRef) (*pb.WebhookAck, error) {
	ws, err := s.webhooks()
	if err != nil {
		return nil, err
	}
	return &pb.WebhookAck{}, ToStatus(ws.DeleteWebhook(ctx, m.GetId()))
}

// EnqueueDeliveries implements pb.BackendServer.
func (s *GRPCServer) EnqueueDeliveries(ctx context.Context, m *pb.DeliveryList) (*pb.WebhookAck, error) {
	ws, err := s.webhooks()
	if err != nil {
		return nil, err
	}
	ds, _ := deliveriesFromPB(m, nil)
	return &pb.WebhookAck{}, ToStatus(ws.EnqueueDeliveries(ctx, ds))
}

// ClaimDeliveries implements pb.BackendServer.
func (s *GRPCServer) ClaimDeliveries(ctx context.Context, m *pb.ClaimRequest) (*pb.DeliveryList, error) {
	ws, err := s.webhooks()
	if err != nil {
		return nil, err
	}
	ds, err := ws.ClaimDeliveries(ctx,
		contract.ClaimRequest{Now: fromUnixNano(m.GetNowUnixNano()), Lease: time.Duration(m.GetLeaseNanos()), Max: int(m.GetMax())})
	if err != nil {
		return nil, ToStatus(err)
	}
	return deliveriesToPB(ds), nil
}

// SaveDelivery implements pb.BackendServer.
func (s *GRPCServer) SaveDelivery(ctx context.Context, m *pb.Delivery) (*pb.WebhookAck, error) {
	ws, err := s.webhooks()
	if err != nil {
		return nil, err
	}
	return &pb.WebhookAck{}, ToStatus(ws.SaveDelivery(ctx, deliveryFromPB(m)))
}

// Deliveries implements pb.BackendServer.
func (s *GRPCServer) Deliveries(ctx context.Context, m *pb.DeliveriesRequest) (*pb.DeliveryList, error) {
	ws, err := s.webhooks()
	if err != nil {
		return nil, err
	}
	ds, err := ws.Deliveries(ctx, m.GetWebhookId(), int(m.GetLimit()))
	if err != nil {
		return nil, ToStatus(err)
	}
	return deliveriesToPB(ds), nil
}
