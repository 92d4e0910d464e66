package testutil

import (
	"context"

	goredis "github.com/redis/go-redis/v9"
)

type quiet struct{}

func (quiet) Printf(context.Context, string, ...interface{}) {}

// go-redis logs dial failures to stderr; the chaos tests cause plenty.
func init() { goredis.SetLogger(quiet{}) }
