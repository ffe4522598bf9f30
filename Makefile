# xinfang — common tasks. `make help` lists them.
GO        ?= go
BIN       ?= bin/xinfang
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
PROMTOOL  ?= $(or $(XINFANG_TEST_PROMTOOL),promtool)

.PHONY: help run build generate check-generate test test-go compose-check check-alerts vet bench migration clean

help: ## list the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-16s %s\n", $$1, $$2}'

run: ## run the server on the embedded database (./data)
	$(GO) run ./cmd/xinfang serve

build: ## build the binary into bin/xinfang
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/xinfang

generate: ## regenerate ent, gqlgen and docs/schema.graphql
	$(GO) generate ./...

check-generate: generate ## fail when generated code does not match its sources
	@test -z "$$(git status --porcelain -- ent graph docs/schema.graphql)" || \
		(git status --short -- ent graph docs/schema.graphql; \
		 echo "generated code is stale: run 'make generate' and commit the result" >&2; exit 1)

vet: ## go vet and gofmt
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt needed" >&2; exit 1)

test: ## install and start what the tests need, then run every test
	@eval "$$(./scripts/test-services.sh)" && $(MAKE) --no-print-directory test-go

# The deploy package's tests run the same promtool checks as check-alerts
# (and validate the Grafana provisioning), so test-go covers them.
test-go: vet compose-check ## run the Go tests against the services already running
	$(GO) test -race -count=1 -timeout 20m ./...

compose-check: ## validate docker-compose.yml (with placeholder secrets)
	XINFANG_JWT_SECRET=placeholder-secret-for-validation-only XINFANG_PIN_SECRET=placeholder-pin-secret \
	GRAFANA_ADMIN_PASSWORD=placeholder-grafana-admin GRAFANA_CLICKHOUSE_PASSWORD=placeholder-grafana-clickhouse \
		docker-compose -f docker-compose.yml config -q

check-alerts: ## check the Prometheus config and rules and run the rules' unit tests (promtool)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && mkdir "$$tmp/rules" && \
		cp deploy/prometheus/rules/xinfang.yml "$$tmp/rules/" && \
		sed "s#/etc/prometheus/rules/#$$tmp/rules/#" deploy/prometheus/prometheus.yml >"$$tmp/prometheus.yml" && \
		$(PROMTOOL) check config "$$tmp/prometheus.yml"
	$(PROMTOOL) check rules deploy/prometheus/rules/xinfang.yml
	cd deploy/prometheus/rules && $(PROMTOOL) test rules xinfang_test.yml

bench: ## run the benchmarks and record them in docs/benchmarks.md
	@eval "$$(./scripts/test-services.sh)" && \
		XINFANG_BENCH_POSTGRES_URL="$${XINFANG_BENCH_POSTGRES_URL:-$$XINFANG_TEST_POSTGRES_URL}" \
		$(GO) run ./bench -out docs/benchmarks.md

migration: ## write the next PostgreSQL migration from the ent schema: make migration NAME=add_x
	@test -n "$(NAME)" || (echo "usage: make migration NAME=what_changed" >&2; exit 2)
	@eval "$$(./scripts/test-services.sh)" && \
		XINFANG_DEV_DATABASE_URL="$$XINFANG_TEST_POSTGRES_URL" $(GO) run ./internal/store/migrationgen -name $(NAME)

clean: ## remove build output
	rm -rf bin
