# tourney: every routine action has a target; see the README.
GO      ?= go
BIN     := bin
PKGS    := ./...
GOFLAGS_TEST ?= -race -count=1 -timeout 15m

.PHONY: all build test run demo proto lint fuzz bench chaos chaos-long clean help

all: build

help:
	@grep -E '^[a-z]+:.*## ' Makefile | sed 's/:.*## /\t/'

build: ## build bin/host, bin/plugin-memory and bin/plugin-redis (when present)
	$(GO) build -o $(BIN)/host ./cmd/host
	$(GO) build -o $(BIN)/plugin-memory ./cmd/plugin-memory
	@if [ -d cmd/plugin-redis ]; then $(GO) build -o $(BIN)/plugin-redis ./cmd/plugin-redis; fi
	@cd $(BIN) && sha256sum plugin-* > plugins.sha256 && echo "wrote $(BIN)/plugins.sha256 (the host runs only plugins listed there)"

test: ## run every test with -race, and the alerting rules with promtool (installs redis-server, redis-sentinel, promtool and chromium when missing)
	@scripts/ensure-redis.sh
	@scripts/ensure-promtool.sh
	@scripts/ensure-chromium.sh
	cd docs && promtool check rules alerts.yml && promtool test rules alerts_test.yml
	$(GO) test $(GOFLAGS_TEST) $(PKGS)

run: build ## run the sidecar on 127.0.0.1:8080 (Redis when it answers, else memory)
	@scripts/run.sh

demo: build ## play a tournament through the HTTP API and print the bracket
	$(BIN)/host demo

proto: ## regenerate shared/internal/proto from backend.proto
	@scripts/protoc.sh

STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint: ## gofmt, go vet, staticcheck, and docs/openapi.yaml validated as OpenAPI 3.1
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run $(STATICCHECK) $(PKGS)
	$(GO) test -count=1 -run 'TestTheDocumentIsValidOpenAPI31|TestEveryRouteIsInTheOpenAPIDocument' ./internal/apicheck/ ./httpapi/

chaos: ## the fault-injection suite alone (real binaries, Redis kills, Toxiproxy, porcupine); also part of make test
	@scripts/ensure-redis.sh
	$(GO) test $(GOFLAGS_TEST) ./chaos/...

chaos-long: ## the long fault campaign: CAMPAIGN_FAULTS (default 300) random faults over two hosts and one Redis; CAMPAIGN_SEED replays one
	@scripts/ensure-redis.sh
	CAMPAIGN_FAULTS=$${CAMPAIGN_FAULTS:-300} $(GO) test -race -count=1 -timeout 6h -run TestFaultCampaign -v ./chaos

bench: build ## benchmark against a redis-server it starts (BENCH_JSON=path writes the figures)
	@scripts/ensure-redis.sh
	$(GO) run ./bench -bin $(BIN)

fuzz: ## run each fuzzer for FUZZTIME (default 30s)
	$(GO) test -run '^$$' -fuzz FuzzCommandSequences -fuzztime $${FUZZTIME:-30s} ./tournament
	$(GO) test -run '^$$' -fuzz FuzzRequests -fuzztime $${FUZZTIME:-30s} ./httpapi
	$(GO) test -run '^$$' -fuzz FuzzBackendsAgree -fuzztime $${FUZZTIME:-30s} ./plugins/redis

clean:
	rm -rf $(BIN)
