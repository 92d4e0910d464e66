package redis

import (
	"context"
	"strings"

	goredis "github.com/redis/go-redis/v9"
)

// rateKeys hands redis_rate a client that moves its fixed "rate:" key
// prefix behind KEY_PREFIX ("rate:actor:x" -> "pong:rate:actor:x"), so that
// every key tourney touches is under the prefix and an ACL user limited to
// it (~pong:*) can be rate limited too.
type rateKeys struct {
	goredis.UniversalClient
	prefix string
}

func (r rateKeys) keys(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		if rest, ok := strings.CutPrefix(k, "rate:"); ok {
			k = r.prefix + "rate:" + rest
		}
		out[i] = k
	}
	return out
}

func (r rateKeys) Eval(ctx context.Context, script string, keys []string, args ...any) *goredis.Cmd {
	return r.UniversalClient.Eval(ctx, script, r.keys(keys), args...)
}

func (r rateKeys) EvalSha(ctx context.Context, sha1 string, keys []string, args ...any) *goredis.Cmd {
	return r.UniversalClient.EvalSha(ctx, sha1, r.keys(keys), args...)
}

func (r rateKeys) EvalRO(ctx context.Context, script string, keys []string, args ...any) *goredis.Cmd {
	return r.UniversalClient.EvalRO(ctx, script, r.keys(keys), args...)
}

func (r rateKeys) EvalShaRO(ctx context.Context, sha1 string, keys []string, args ...any) *goredis.Cmd {
	return r.UniversalClient.EvalShaRO(ctx, sha1, r.keys(keys), args...)
}

func (r rateKeys) Del(ctx context.Context, keys ...string) *goredis.IntCmd {
	return r.UniversalClient.Del(ctx, r.keys(keys)...)
}
