# tunlab: `make` builds ./tunnel and ./harness; `make lab` and `make test`
# also install whatever Debian packages the machine lacks.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
# Wireshark loads Lua dissectors from its "Global Lua Plugins" folder,
# $(libdir)/wireshark/plugins with no version under it (tshark -G folders
# names it); the versioned plugins/4.0/epan below it is for compiled
# plugins only, and would strand the script at the next Wireshark release.
MULTIARCH ?= $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
WSPLUGINDIR ?= $(PREFIX)/lib/$(MULTIARCH)/wireshark/plugins
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR	?= $(PREFIX)/lib/systemd/system
# The JSON Schemas of the --json outputs, for scripts that read them.
SCHEMADIR ?= $(PREFIX)/share/tunlab/schema
SCHEMAS	:= $(notdir $(wildcard docs/schema/*.json))
BUILD	?= build
CC	?= cc

PKGS	:= libmnl libnftables libpcap libsodium libcrypto yaml-0.1 jansson
# Evaluated when a recipe runs, so `make lab` can install the packages first.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) -pthread
TEST_LIBS  = $(shell pkg-config --libs cmocka)
# Graphviz lays out harness graph --svg: linked into the harness only.
GVC_LIBS   = $(shell pkg-config --libs libgvc)

CFLAGS	?= -O2 -g
CFLAGS	+= -std=gnu11 -D_GNU_SOURCE -pthread -Wall -Wextra -Werror -Isrc -MMD -MP
CFLAGS	+= -Wmissing-prototypes -Wstrict-prototypes
# Messages are built with snprintf into fixed buffers on purpose: a long
# path cut short in an error line is fine, so that warning is not wanted.
CFLAGS	+= -Wno-format-truncation
ifeq ($(SANITIZE),1)
CFLAGS	+= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS	+= -fsanitize=address,undefined
endif

LIB_SRC	    := $(wildcard src/lib/*.c)
TUNNEL_SRC  := $(filter-out src/tunnel/main.c,$(wildcard src/tunnel/*.c))
HARNESS_SRC := $(filter-out src/harness/main.c,$(wildcard src/harness/*.c))
UNIT_SRC    := $(wildcard tests/unit/test_*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
LIB_A	    := $(BUILD)/libtunlab.a
TUNNEL_A    := $(BUILD)/libtunnel.a
HARNESS_A   := $(BUILD)/libharness.a
UNIT_BIN    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: all analyze coverage deps lab down test test-long unit unit-bins unit-asan fuzz fuzz-bins captures lab-test clean install uninstall deb format
.DEFAULT_GOAL := all

all: tunnel harness

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# The default lab's file is built into the harness (default_lab.c).
$(BUILD)/src/harness/default_lab.o: labs/home-office.yml

$(LIB_A): $(call obj,$(LIB_SRC))
	rm -f $@ && $(AR) rcs $@ $^
$(TUNNEL_A): $(call obj,$(TUNNEL_SRC))
	rm -f $@ && $(AR) rcs $@ $^
$(HARNESS_A): $(call obj,$(HARNESS_SRC))
	rm -f $@ && $(AR) rcs $@ $^

tunnel: $(call obj,src/tunnel/main.c) $(TUNNEL_A) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
harness: $(call obj,src/harness/main.c) $(HARNESS_A) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(GVC_LIBS)
# A tunnel inside $(BUILD), for the lab scenario run with sanitizers:
# make BUILD=build/asan SANITIZE=1 build/asan/tunnel
$(BUILD)/tunnel: $(call obj,src/tunnel/main.c) $(TUNNEL_A) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/harness: $(call obj,src/harness/main.c) $(HARNESS_A) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(GVC_LIBS) $(GVC_LIBS)

# clang's static analyser over both programs and the unit tests, in a build
# of its own so the programs at the top are left as they are.
analyze:
	@rm -rf build/scan
	scan-build --status-bugs -o build/scan/report $(MAKE) --no-print-directory -s \
		BUILD=build/scan CC=clang build/scan/tunnel build/scan/harness unit-bins

# Fixture captures are found wherever the tree is.
$(BUILD)/tests/unit/test_verify.o $(BUILD)/tests/unit/test_graph.o: CFLAGS += -DFIXTURES='"$(CURDIR)/tests/fixtures"'

$(BUILD)/tests/test_graph: TEST_LIBS += $(GVC_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(TUNNEL_A) $(HARNESS_A) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

# libFuzzer targets, one per parser of outside input, built with clang.
comma       := ,
FUZZ_SRC    := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN    := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
# The map as SVG needs Graphviz (graph_svg.c, and graph_cmd.c that calls it), and parses
# nothing from outside; up draws the text map, so graph.c is in.
FUZZ_CODE   := $(LIB_SRC) $(TUNNEL_SRC) $(filter-out src/harness/graph_svg.c src/harness/graph_cmd.c,$(HARNESS_SRC))
FUZZ_CFLAGS := -std=gnu11 -D_GNU_SOURCE -O1 -g -Isrc -fsanitize=fuzzer,address,undefined \
	       -fno-sanitize-recover=undefined -Wall -Wextra -Werror -Wno-format-truncation \
	       -Wno-unknown-warning-option
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?=

# The code under test is compiled once, instrumented for the fuzzer but
# without its main (fuzzer-no-link), and each target links the archive:
# compiling all of it again for each of the thirteen targets took most of
# make test's fuzz stage.
FUZZ_OBJ    := $(patsubst %.c,build/fuzzobj/%.o,$(FUZZ_CODE))
FUZZ_A      := build/fuzzobj/libfuzzcode.a

build/fuzzobj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(subst -fsanitize=fuzzer$(comma),-fsanitize=fuzzer-no-link$(comma),$(FUZZ_CFLAGS)) \
		$(PKG_CFLAGS) -MMD -MP -c -o $@ $<
build/fuzzobj/src/harness/default_lab.o: labs/home-office.yml

$(FUZZ_A): $(FUZZ_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

build/fuzz/%: tests/fuzz/%.c $(FUZZ_A)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(PKG_CFLAGS) -o $@ $< $(FUZZ_A) $(PKG_LIBS)

fuzz-bins: $(FUZZ_BIN)

fuzz: $(FUZZ_BIN)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) tests/fuzz/long.sh

# Line coverage of each fuzz target over its seed corpus, and of the unit
# tests, in build/coverage.
coverage:
	@tests/fuzz/coverage.sh

deps:
	@scripts/deps.sh build

# The main job: packages, build, and a running lab.
lab:
	@scripts/deps.sh lab
	@$(MAKE) --no-print-directory all
	./harness up

down:
	@if [ -x ./harness ]; then ./harness down; else $(MAKE) --no-print-directory harness && ./harness down; fi

unit-bins: $(UNIT_BIN)

unit: $(UNIT_BIN)
	@tests/run-unit.sh $(UNIT_BIN)

unit-asan:
	@$(MAKE) --no-print-directory BUILD=build/asan SANITIZE=1 unit

# Every test: unit tests, the same under ASan+UBSan, then the netns lab tests.
test:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory all
	@tests/run.sh

# Everything, at full length: fuzz targets a minute each, the whole
# torture (50 MB transfers, a ten-minute soak, twenty kills), and every
# mutant of tests/mutants.md, which must turn its test red.  Over an hour.
test-long:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory all
	@FUZZ_SECONDS=60 TUNLAB_LONG=1 tests/run.sh

# The reference captures in captures/, made anew from labs of their own.
captures: all
	@scripts/make-captures.sh

clean:
	rm -rf build tunnel harness

# The unit names the installed tunnel by its full path, so BINDIR is put in.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(WSPLUGINDIR) \
		$(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SCHEMADIR)
	install -m 0755 tunnel harness $(DESTDIR)$(BINDIR)/
	install -m 0644 docs/tunnel.8 docs/harness.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 scripts/tunlab.lua $(DESTDIR)$(WSPLUGINDIR)/
	install -m 0644 scripts/completions/harness scripts/completions/tunnel $(DESTDIR)$(COMPLETIONDIR)/
	install -m 0644 $(addprefix docs/schema/,$(SCHEMAS)) $(DESTDIR)$(SCHEMADIR)/
	sed 's|@BINDIR@|$(BINDIR)|g' scripts/systemd/tunnel@.service.in > $(DESTDIR)$(UNITDIR)/tunnel@.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/tunnel@.service

# Exactly the files install put there; the directories may hold others'.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tunnel $(DESTDIR)$(BINDIR)/harness
	rm -f $(DESTDIR)$(MANDIR)/man8/tunnel.8 $(DESTDIR)$(MANDIR)/man8/harness.8
	rm -f $(DESTDIR)$(WSPLUGINDIR)/tunlab.lua
	rm -f $(DESTDIR)$(COMPLETIONDIR)/harness $(DESTDIR)$(COMPLETIONDIR)/tunnel
	rm -f $(DESTDIR)$(UNITDIR)/tunnel@.service
	rm -f $(addprefix $(DESTDIR)$(SCHEMADIR)/,$(SCHEMAS))
	@# The two directories that are tunlab's alone go too, once empty.
	rmdir $(DESTDIR)$(SCHEMADIR) $(dir $(DESTDIR)$(SCHEMADIR)) 2>/dev/null || true

# The Debian package, built from this tree; dpkg-buildpackage writes it
# (and its .buildinfo and .changes) into the directory above.
deb:
	dpkg-buildpackage -us -uc -b

format:
	clang-format -i src/*/*.c src/*/*.h tests/unit/*.c tests/fuzz/*.c

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
