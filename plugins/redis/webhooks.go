// Webhooks and their deliveries. Every key shares the {webhooks} hash tag,
// so that a script may touch several on a cluster:
//
//	{webhooks}:registry          hash: webhook id -> webhook JSON (with its secret)
//	{webhooks}:due               sorted set: pending delivery id -> when it may be claimed (ms)
//	{webhooks}:delivery:<id>     hash: status, record (JSON), payload (the body POSTed)
//	{webhooks}:log:<webhook id>  list: the webhook's delivery ids, newest first

package redis

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/tournament"
)

var _ shared.WebhookStore = (*Backend)(nil)

func (k keyspace) webhooks() string          { return k.prefix + "{webhooks}:registry" }
func (k keyspace) deliveriesDue() string     { return k.prefix + "{webhooks}:due" }
func (k keyspace) webhookPrefix() string     { return k.prefix + "{webhooks}:" }
func (k keyspace) delivery(id string) string { return k.prefix + "{webhooks}:delivery:" + id }

// KEYS: registry, due. ARGV: key prefix ("...{webhooks}:"), log size, then
// per delivery: id, webhook id, status, record, payload, due (ms).
var enqueueScript = goredis.NewScript(`
local p, size = ARGV[1], tonumber(ARGV[2])
for i = 3, #ARGV, 6 do
  local id, hook, status = ARGV[i], ARGV[i+1], ARGV[i+2]
  local key = p .. 'delivery:' .. id
  if redis.call('HEXISTS', KEYS[1], hook) == 1 and redis.call('EXISTS', key) == 0 then
    redis.call('HSET', key, 'status', status, 'record', ARGV[i+3], 'payload', ARGV[i+4])
    if status == 'pending' then redis.call('ZADD', KEYS[2], ARGV[i+5], id) end
    local log = p .. 'log:' .. hook
    redis.call('LPUSH', log, id)
    while redis.call('LLEN', log) > size do
      local oldest = redis.call('LINDEX', log, -1)
      if redis.call('HGET', p .. 'delivery:' .. oldest, 'status') == 'pending' then break end
      redis.call('RPOP', log)
      redis.call('DEL', p .. 'delivery:' .. oldest)
    end
  end
end
return 1`)

// KEYS: due. ARGV: key prefix, now (ms), lease (ms), max. Returns record,
// payload pairs; each claimed delivery is due again when the lease ends.
var claimScript = goredis.NewScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[4]))
local out = {}
for _, id in ipairs(ids) do
  local v = redis.call('HMGET', ARGV[1] .. 'delivery:' .. id, 'record', 'payload')
  if v[1] then
    redis.call('ZADD', KEYS[1], tonumber(ARGV[2]) + tonumber(ARGV[3]), id)
    out[#out+1] = v[1]
    out[#out+1] = v[2]
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out`)

// KEYS: the delivery, due. ARGV: id, status, record, due (ms). 0: no such
// delivery.
var saveDeliveryScript = goredis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'record', ARGV[3])
if ARGV[2] == 'pending' then redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1]) else redis.call('ZREM', KEYS[2], ARGV[1]) end
return 1`)

// KEYS: registry, due. ARGV: key prefix, webhook id. 0: no such webhook.
var deleteWebhookScript = goredis.NewScript(`
if redis.call('HDEL', KEYS[1], ARGV[2]) == 0 then return 0 end
local log = ARGV[1] .. 'log:' .. ARGV[2]
for _, id in ipairs(redis.call('LRANGE', log, 0, -1)) do
  redis.call('DEL', ARGV[1] .. 'delivery:' .. id)
  redis.call('ZREM', KEYS[2], id)
end
redis.call('DEL', log)
return 1`)

// KEYS: registry. ARGV: key prefix, webhook id, limit. Returns false for
// no such webhook, else record, payload pairs newest first.
var deliveriesScript = goredis.NewScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[2]) == 0 then return false end
local out = {}
for _, id in ipairs(redis.call('LRANGE', ARGV[1] .. 'log:' .. ARGV[2], 0, tonumber(ARGV[3]) - 1)) do
  local v = redis.call('HMGET', ARGV[1] .. 'delivery:' .. id, 'record', 'payload')
  if v[1] then
    out[#out+1] = v[1]
    out[#out+1] = v[2]
  end
end
return out`)

// PutWebhook implements shared.WebhookStore.
func (b *Backend) PutWebhook(ctx context.Context, w shared.Webhook) error {
	ctx, cancel := b.bound(ctx)
	defer cancel()
	doc, err := json.Marshal(w)
	if err != nil {
		return err
	}
	ok, err := b.rdb.HSetNX(ctx, b.keys.webhooks(), w.ID, doc).Result()
	if err != nil {
		return redisErr(err)
	}
	if !ok {
		return tournament.Errorf(tournament.CodeAlreadyExists, "webhook %s already exists", w.ID)
	}
	return nil
}

// Webhooks implements shared.WebhookStore.
func (b *Backend) Webhooks(ctx context.Context) ([]shared.Webhook, error) {
	ctx, cancel := b.bound(ctx)
	defer cancel()
	all, err := b.rdb.HGetAll(ctx, b.keys.webhooks()).Result()
	if err != nil {
		return nil, redisErr(err)
	}
	out := make([]shared.Webhook, 0, len(all))
	for id, doc := range all {
		var w shared.Webhook
		if err := json.Unmarshal([]byte(doc), &w); err != nil {
			b.logger.Warn("skipping an unreadable webhook", "webhook", id, "error", err)
			continue
		}
		out = append(out, w)
	}
	sortWebhooks(out)
	return out, nil
}

// DeleteWebhook implements shared.WebhookStore.
func (b *Backend) DeleteWebhook(ctx context.Context, id string) error {
	ctx, cancel := b.bound(ctx)
	defer cancel()
	n, err := deleteWebhookScript.Run(ctx, b.rdb, []string{b.keys.webhooks(), b.keys.deliveriesDue()}, b.keys.webhookPrefix(), id).Int()
	if err != nil {
		return redisErr(err)
	}
	if n == 0 {
		return tournament.Errorf(tournament.CodeNotFound, "webhook %s not found", id)
	}
	return nil
}

// EnqueueDeliveries implements shared.WebhookStore: one round trip.
func (b *Backend) EnqueueDeliveries(ctx context.Context, ds []shared.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	ctx, cancel := b.bound(ctx)
	defer cancel()
	args := []any{b.keys.webhookPrefix(), shared.DeliveryLogSize}
	for _, d := range ds {
		rec, err := json.Marshal(d)
		if err != nil {
			return err
		}
		args = append(args, d.ID, d.WebhookID, d.Status, rec, d.Payload, d.NextAttempt.UnixMilli())
	}
	return redisErr(enqueueScript.Run(ctx, b.rdb, []string{b.keys.webhooks(), b.keys.deliveriesDue()}, args...).Err())
}

// ClaimDeliveries implements shared.WebhookStore: one round trip.
func (b *Backend) ClaimDeliveries(ctx context.Context, req shared.ClaimRequest) ([]shared.Delivery, error) {
	ctx, cancel := b.bound(ctx)
	defer cancel()
	max := req.Max
	if max <= 0 {
		max = 100
	}
	raw, err := claimScript.Run(ctx, b.rdb, []string{b.keys.deliveriesDue()}, b.keys.webhookPrefix(),
		req.Now.UnixMilli(), req.Lease.Milliseconds(), max).StringSlice()
	if err != nil && !errors.Is(err, goredis.Nil) {
		return nil, redisErr(err)
	}
	return decodeDeliveries(raw)
}

// SaveDelivery implements shared.WebhookStore: one round trip.
func (b *Backend) SaveDelivery(ctx context.Context, d shared.Delivery) error {
	ctx, cancel := b.bound(ctx)
	defer cancel()
	rec, err := json.Marshal(d)
	if err != nil {
		return err
	}
	n, err := saveDeliveryScript.Run(ctx, b.rdb, []string{b.keys.delivery(d.ID), b.keys.deliveriesDue()}, d.ID,
		d.Status, rec, d.NextAttempt.UnixMilli()).Int()
	if err != nil {
		return redisErr(err)
	}
	if n == 0 {
		return tournament.Errorf(tournament.CodeNotFound, "delivery %s not found", d.ID)
	}
	return nil
}

// Deliveries implements shared.WebhookStore: one round trip.
func (b *Backend) Deliveries(ctx context.Context, hook string, limit int) ([]shared.Delivery, error) {
	ctx, cancel := b.bound(ctx)
	defer cancel()
	if limit <= 0 || limit > shared.DeliveryLogSize {
		limit = shared.DeliveryLogSize
	}
	raw, err := deliveriesScript.Run(ctx, b.rdb, []string{b.keys.webhooks()}, b.keys.webhookPrefix(), hook, limit).StringSlice()
	if errors.Is(err, goredis.Nil) {
		return nil, tournament.Errorf(tournament.CodeNotFound, "webhook %s not found", hook)
	}
	if err != nil {
		return nil, redisErr(err)
	}
	return decodeDeliveries(raw)
}

func decodeDeliveries(raw []string) ([]shared.Delivery, error) {
	out := make([]shared.Delivery, 0, len(raw)/2)
	for i := 0; i+1 < len(raw); i += 2 {
		var d shared.Delivery
		if err := json.Unmarshal([]byte(raw[i]), &d); err != nil {
			return nil, fmt.Errorf("an unreadable delivery record: %w", err)
		}
		d.Payload = []byte(raw[i+1])
		out = append(out, d)
	}
	return out, nil
}

func sortWebhooks(ws []shared.Webhook) {
	slices.SortFunc(ws, func(a, b shared.Webhook) int { return cmp.Compare(a.ID, b.ID) })
}
