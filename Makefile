# keepalived-go. `make test` is what CI runs (.ci/run); it installs what it
# needs itself (Debian packages with apt-get, Go modules through the proxy).

GO       ?= go
BIN      := bin/keepalived
PREFIX   ?= /usr
SBINDIR  ?= $(PREFIX)/sbin
UNITDIR  ?= /lib/systemd/system
FUZZTIME ?= 30s
# Debian packages the kernel and end-to-end tests use: real keepalived 2.2.7
# as a peer, nginx behind the VIP, tcpdump for wire timing, ip, killall, ps,
# aiosmtpd as the SMTP server the e-mail alert tests send to, stress-ng as
# the CPU hog of make test-hog; debhelper and lintian build and check
# `make deb`'s package.
DEB_PKGS := keepalived nginx tcpdump iproute2 psmisc procps net-tools curl nftables python3-aiosmtpd stress-ng debhelper lintian
# keepalived 2.4.3, the second reference peer (auth_hmac): its release tarball
# and the cache it is built in once per machine (test/peers/keepalived-2.4.3.sh).
PEERS    ?= $(CURDIR)/../shared/peers
PEERCACHE ?= /var/cache/keepalived-go

.PHONY: all build test test-unit test-hog test-long test-root deps peer-2.4.3 bench bench-ha fuzz install deb demo soak clean vet

all: build

# A static, stripped binary: no libc to load and fewer mapped pages, which
# keeps the resident size of the supervisor and the VRRP child down.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w' -o $(BIN) ./cmd/keepalived

# vet: go vet, and the binary builds for macOS and FreeBSD, so that
# check-config runs on an operator's laptop (the daemon refuses at run time
# there). The first cross build compiles the standard library for each
# system (about a minute on a busy 2-core machine), later ones hit the cache.
CROSS_GOOS := darwin freebsd

vet:
	$(GO) vet ./...
	for os in $(CROSS_GOOS); do GOOS=$$os CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/keepalived || exit 1; done

# deps installs the Debian packages the tests need when they are missing.
deps:
	@missing=""; for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
		: "Debian's postinst may start the services it just installed; none may run in the root namespace."; \
		if [ -r /run/keepalived.pid ]; then kill "$$(cat /run/keepalived.pid)" 2>/dev/null || true; fi; \
		if [ -r /run/nginx.pid ]; then kill "$$(cat /run/nginx.pid)" 2>/dev/null || true; fi; \
	fi

# peer-2.4.3: builds keepalived 2.4.3 from $(PEERS) into $(PEERCACHE), once;
# says so and does nothing when the tarball is missing (its tests then skip).
peer-2.4.3:
	./test/peers/keepalived-2.4.3.sh $(PEERS)/keepalived-2.4.3.tar.gz $(PEERCACHE)

# test: everything, including the root/namespace tiers (CI is root).
test: deps peer-2.4.3 build vet
	KAGO_BIN=$(CURDIR)/$(BIN) KAGO_KA243=$(PEERCACHE)/keepalived-2.4.3/keepalived/keepalived $(GO) test -count=1 -timeout 14m ./...

# test-unit: the pure tiers only, no root needed.
test-unit:
	KAGO_NO_ROOT_TESTS=1 $(GO) test -count=1 ./...

# test-hog: make test HOG_RUNS times in a row while stress-ng keeps every
# core busy at normal priority: CI's machine may be a loaded 2-core one,
# and no test may depend on getting the CPU on time. It stops at the first
# failing run; the hog ends with the target.
HOG_RUNS ?= 3
test-hog: deps
	stress-ng --cpu $$(nproc) --quiet & hog=$$!; trap 'kill $$hog' EXIT; \
	for i in $$(seq 1 $(HOG_RUNS)); do \
		echo "== make test, run $$i of $(HOG_RUNS), CPU hog on $$(nproc) cores"; \
		$(MAKE) test || exit 1; \
	done

bench: deps build
	$(GO) test -run '^$$' -bench . -benchmem ./parser/... ./vrrp/... ./config/...
	KAGO_BENCH=1 $(GO) test -count=1 -run 'TestBenchConfigTest' -v ./parser/

# bench-ha: failover side by side with real keepalived; writes BENCHMARKS.md figures.
# test-long: the e2e scenarios that measure and sit outside make test's
# 15 minutes (test/e2e needLong): AH mixed pairs with keepalived 2.2.7, the
# whole table of keepalived 2.4.3 pairs with and without auth_hmac, the
# rolling migration of a 2.4.3 auth_hmac pair, track_process against a
# 2-second script, the seed reboot variants.
test-long: deps peer-2.4.3 build
	KAGO_BIN=$(CURDIR)/$(BIN) KAGO_KA243=$(PEERCACHE)/keepalived-2.4.3/keepalived/keepalived KGE_LONG=1 $(GO) test -count=1 -timeout 45m -run 'TestKA227AHPairs|TestKA243Pairs|TestKA243Rolling|TestTrackProcessBeatsScript|TestSeedReboot' -v ./test/e2e/

bench-ha: deps peer-2.4.3 build
	KAGO_BIN=$(CURDIR)/$(BIN) KAGO_KA243=$(PEERCACHE)/keepalived-2.4.3/keepalived/keepalived KAGO_BENCH_HA=1 KGE_SLACK=300ms KGE_BENCH_OUT=$(CURDIR)/BENCHMARKS-ha.md $(GO) test -count=1 -timeout 90m -run 'TestHABench' -v ./test/e2e/

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./parser/
	$(GO) test -run '^$$' -fuzz '^FuzzLower$$' -fuzztime $(FUZZTIME) ./parser/
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./vrrp/
	$(GO) test -run '^$$' -fuzz '^FuzzReceive$$' -fuzztime $(FUZZTIME) ./vrrp/
	$(GO) test -run '^$$' -fuzz '^FuzzHMACTrailer$$' -fuzztime $(FUZZTIME) ./vrrp/
	$(GO) test -run '^$$' -fuzz '^FuzzReceiveAH$$' -fuzztime $(FUZZTIME) ./vrrp/
	$(GO) test -run '^$$' -fuzz '^FuzzSchedule$$' -fuzztime $(FUZZTIME) ./vrrp/sim/
	$(GO) test -run '^$$' -fuzz '^FuzzFrames$$' -fuzztime $(FUZZTIME) ./netif/
	$(GO) test -run '^$$' -fuzz '^FuzzParse4$$' -fuzztime $(FUZZTIME) ./netif/

soak: deps build
	KAGO_SOAK=1 $(GO) test -count=1 -timeout 60m -run 'TestSoak' -v ./test/e2e/

# install: the binary as /usr/sbin/keepalived (a running daemon keeps its
# old binary: it re-executes /proc/self/exe), Debian's unit, and
# /etc/default/keepalived only if there is none (DAEMON_ARGS are the
# operator's); systemd is told when it runs and DESTDIR is empty.
install: build
	install -D -m 0755 $(BIN) $(DESTDIR)$(SBINDIR)/keepalived
	install -D -m 0644 examples/keepalived.service $(DESTDIR)$(UNITDIR)/keepalived.service
	@if [ ! -e $(DESTDIR)/etc/default/keepalived ]; then \
		install -D -m 0644 examples/keepalived.default $(DESTDIR)/etc/default/keepalived; fi
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

# deb: the Debian package keepalived-go (debian/, built with debhelper), in
# $(DEB_OUT), checked with lintian. It Provides, Conflicts with and Replaces
# keepalived: `dpkg -i` or `apt install ./bin/deb/keepalived-go_*.deb` swaps
# Debian's keepalived out, keeps /etc/keepalived, and restarts the service on
# an upgrade as Debian's package does. DEB_VERSION_OVERRIDE builds the tree
# under another version (the package test's upgrade).
DEB_OUT ?= $(CURDIR)/bin/deb
deb:
	rm -rf $(DEB_OUT)
	GO=$(GO) DEB_OUT=$(DEB_OUT) debian/rules clean
	GO=$(GO) DEB_OUT=$(DEB_OUT) DEB_VERSION_OVERRIDE=$(DEB_VERSION_OVERRIDE) debian/rules binary
	lintian --fail-on error,warning $(DEB_OUT)/*.deb

demo: deps build
	./examples/demo.sh

clean:
	rm -rf bin
