# pxr: Proactive Experience Recovery toolkit.
# GNU make.
include config.mk

CMDS = pxr-join pxr-detect pxr-threshold pxr-compensate pxr-notify pxr-send pxr-lint pxr-test pxr-map pxr-report pxr-fan pxr-ledger
# One module a line, so that changes to the lists merge.
LIBOBJ = \
	error \
	mem \
	rec \
	stream \
	csv \
	jsonl \
	time \
	expr \
	jpos \
	rules \
	rules_rule \
	rules_notify \
	rules_journey \
	rules_input \
	money \
	coltype \
	state \
	tmpl \
	lint \
	lint_survey \
	hmap \
	fields \
	stage \
	threshold \
	compensate \
	compensate_ledger \
	compensate_held \
	notify \
	complaints \
	mail \
	sentlog \
	send \
	gateway \
	detect \
	sidein \
	report \
	report_text \
	report_csv \
	report_json \
	report_svg \
	report_html \
	report_told \
	report_rebuy \
	report_redeem \
	outbox \
	fan \
	journey \
	join \
	sha256 \
	phone \
	winstore \
	ledger \
	ledger_view \
	calllist \
	pseudo \
	ledger_forget \
	ledger_redeem \
	# end
UNITS = \
	rec \
	stream \
	complaints \
	expr \
	money \
	tmpl \
	threshold \
	mail \
	state \
	send \
	compensate \
	notify \
	detect \
	sidein \
	report \
	rules \
	outbox \
	fan \
	journey \
	join \
	tz \
	sha256 \
	phone \
	coltype \
	calllist \
	ledger \
	# end

# SANITIZE=1 builds with ASan+UBSan into san/ instead of build/.
BUILD = build
BIN = bin
FLAGS = $(CFLAGS)
LDFLAGS_X =
GCCSAN = $(shell $(CC) --version 2>/dev/null | grep -q gcc && echo -fsanitize=float-cast-overflow)
ifeq ($(SANITIZE),1)
BUILD = san
BIN = san/bin
FLAGS = $(SANFLAGS) $(GCCSAN)
LDFLAGS_X = -fsanitize=address,undefined
endif

# The expression language, one file per phase (lib/exprint.h).
LIBOBJ += expr_lex expr_parse expr_check expr_eval expr_builtin
LIBOBJS = $(LIBOBJ:%=$(BUILD)/lib/%.o)
CLIOBJ = $(BUILD)/cmd/cli.o
BINS = $(CMDS:%=$(BIN)/%)
UNITBINS = $(UNITS:%=$(BUILD)/test/%)
HDRS = $(wildcard lib/*.h) cmd/cli.h

all: $(BINS)

$(BUILD)/lib/%.o: lib/%.c $(HDRS) config.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(FLAGS) -c -o $@ $<

$(BUILD)/cmd/%.o: cmd/%.c $(HDRS) config.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(FLAGS) -c -o $@ $<

$(BUILD)/libpxr.a: $(LIBOBJS)
	rm -f $@
	ar rcs $@ $(LIBOBJS)

$(BIN)/%: $(BUILD)/cmd/%.o $(CLIOBJ) $(BUILD)/libpxr.a
	@mkdir -p $(@D)
	$(CC) $(FLAGS) $(LDFLAGS_X) -o $@ $< $(CLIOBJ) $(BUILD)/libpxr.a $(LDLIBS)

$(BUILD)/test/%: lib/tests/%_test.c lib/tests/unit.h lib/tests/stagerun.h $(BUILD)/libpxr.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(FLAGS) $(LDFLAGS_X) -o $@ $< $(BUILD)/libpxr.a $(LDLIBS)

units: $(UNITBINS)

$(BUILD)/bench/csvcount: scripts/csvcount.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(FLAGS) -o $@ scripts/csvcount.c $(LDLIBS)

# The figures of issue 19 in one run (scripts/bench-table; BENCH_ROWS and
# BENCH_BIG rows), then the instructions a row (scripts/bench-callgrind;
# BENCH_OLD=DIR: against the build in DIR, a worktree of another commit).
# scripts/bench-detect, -join, -stages, -pipeline and -lint give one
# figure each.
BENCH_ROWS = 1000000
BENCH_BIG = 10000000
BENCH_OLD =
bench: all $(BUILD)/bench/csvcount
	scripts/bench-table -n $(BENCH_ROWS) -b $(BENCH_BIG)
	scripts/bench-callgrind $(if $(BENCH_OLD),-o $(BENCH_OLD))

setup:
	@scripts/setup

# The whole test suite (scripts/check): release build, layout, man pages,
# golden and unit tests, a short fuzz run, then the sanitizer build and the
# tests again; ends with one line "N passed, N failed, N skipped".
check: setup
	scripts/check

# The fuzzers: FUZZ_SECONDS each (a short run is part of make check).
FUZZ_SECONDS = 60
fuzz: setup
	fuzz/run -t $(FUZZ_SECONDS)

# Long crash runs: SOAK_KILLS kill -9s over the whole pipeline, and over
# pxr-compensate (short forms run in make check).
SOAK_KILLS = 200
soak: all
	scripts/simulate --nights 60 --kills 240
	scripts/simulate --nights 60 --kills 240 --seed 2 --export-days 2
	scripts/crash-pipeline -k $(SOAK_KILLS) -r 50000
	scripts/crash-compensate -n 200000 -k $(SOAK_KILLS)

# valgrind memcheck over the golden tests (slow: not part of make check).
valgrind-check: setup
	$(MAKE) all units
	VALGRIND=1 scripts/run-tests

sanitize-check: setup
	$(MAKE) SANITIZE=1 all units
	PXR_BUILD=san scripts/run-tests

demo: setup all
	scripts/nightly

install: all
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANPREFIX)/man1 \
		$(DESTDIR)$(MANPREFIX)/man5 $(DESTDIR)$(MANPREFIX)/man7
	cp -f $(BINS) $(DESTDIR)$(PREFIX)/bin/
	for m in man/*.1; do cp -f $$m $(DESTDIR)$(MANPREFIX)/man1/; done
	for m in man/*.5; do [ -e $$m ] && cp -f $$m $(DESTDIR)$(MANPREFIX)/man5/ || true; done
	for m in man/*.7; do cp -f $$m $(DESTDIR)$(MANPREFIX)/man7/; done

clean:
	rm -rf build san bin fuzz/out

.PHONY: all units setup check sanitize-check demo install clean bench fuzz valgrind-check soak
