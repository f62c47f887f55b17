# cordon: `make demo` builds and starts the Debao demo on SQLite;
# `make test` runs the whole test suite (installing and starting what it needs).
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.PHONY: demo test build assets bench clean

build: assets
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o bin/cordon ./cmd/cordon

assets:
	bash scripts/assets.sh

demo: build
	./bin/cordon demo

test:
	bash scripts/test.sh

bench: build
	./bin/cordon bench
	$(GO) test -run '^$$' -bench . -benchtime 2s ./internal/app/ ./internal/division/

clean:
	rm -rf bin cordon-data internal/web/static/vendor
