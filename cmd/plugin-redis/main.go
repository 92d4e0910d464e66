// Command plugin-redis serves the Redis backend as a tourney plugin. The
// host launches it; it is not meant to be run by hand. It starts even when
// Redis is down (calls then fail as unavailable until Redis answers).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/go-hclog"
	goredis "github.com/redis/go-redis/v9"
	"github.com/tourney/tourney/plugins/redis"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/config"
)

// redisLog sends go-redis's own log lines (dial failures) to hclog.
type redisLog struct{ hclog.Logger }

func (l redisLog) Printf(_ context.Context, format string, v ...interface{}) {
	l.Debug(fmt.Sprintf(format, v...))
}

func main() {
	cfg, err := config.FromEnv(os.LookupEnv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "plugin-redis:", err)
		os.Exit(2)
	}
	logger := shared.NewPluginLogger("redis")
	goredis.SetLogger(redisLog{logger.Named("go-redis")})
	rdb, err := redis.NewClient(cfg.Redis, cfg.Store.ConnectTimeout)
	if err != nil {
		logger.Error("bad Redis configuration", "error", err)
		os.Exit(2)
	}
	opts := redis.OptionsFromConfig(cfg.Redis, cfg.Store)
	opts.Logger = logger
	if opts.Subscriber, err = redis.NewSubscriberClient(cfg.Redis, cfg.Store.ConnectTimeout); err != nil {
		logger.Error("bad Redis configuration", "error", err)
		os.Exit(2)
	}
	shared.Serve(redis.New(rdb, opts), logger)
}
