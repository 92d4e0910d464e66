package redis

import (
	_ "embed"

	goredis "github.com/redis/go-redis/v9"
)

var (
	//go:embed lua/lib.lua
	libLua string
	//go:embed lua/create.lua
	createLua string
	//go:embed lua/commit.lua
	commitLua string
	//go:embed lua/put.lua
	putLua string
	//go:embed lua/acquire.lua
	acquireLua string
	//go:embed lua/cas.lua
	casLua string
	//go:embed lua/release.lua
	releaseLua string
	//go:embed lua/remove.lua
	removeLua string
	//go:embed lua/touch.lua
	touchLua string
	//go:embed lua/reconcile.lua
	reconcileLua string
	//go:embed lua/list.lua
	listLua string
	//go:embed lua/get.lua
	getLua string
)

// The scripts. Those that write a record share lib.lua.
var (
	createScript    = goredis.NewScript(libLua + createLua)
	commitScript    = goredis.NewScript(libLua + commitLua)
	casScript       = goredis.NewScript(libLua + casLua)
	putScript       = goredis.NewScript(libLua + putLua)
	acquireScript   = goredis.NewScript(acquireLua)
	releaseScript   = goredis.NewScript(releaseLua)
	removeScript    = goredis.NewScript(removeLua)
	touchScript     = goredis.NewScript(touchLua)
	reconcileScript = goredis.NewScript(libLua + reconcileLua)
	listScript      = goredis.NewScript(listLua)
	getScript       = goredis.NewScript(getLua)

	allScripts = []*goredis.Script{createScript, commitScript, casScript, putScript, acquireScript, releaseScript,
		removeScript, touchScript, reconcileScript, listScript, getScript}
)
