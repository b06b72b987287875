# C-level tests of the shared plumbing.  Each test program links the
# common objects with a stand-in shim; `make check` builds and runs them.
TEST_NAMES := test_env test_log test_badlevel test_real test_fork_locks
TEST_BINS := $(addprefix $(BUILD)/tests/,$(TEST_NAMES))

$(BUILD)/tests/test_shim.o: tests/test_shim.c tests/test_symbols.def $(wildcard common/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests -c -o $@ $<

$(BUILD)/tests/%: tests/%.c $(BUILD)/tests/test_shim.o $(COMMON_OBJ) $(wildcard tests/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(BUILD)/tests/test_shim.o \
		$(COMMON_OBJ) $(SAN_FLAGS) $(LDFLAGS) $(LIBS)

check: $(TEST_BINS) $(LIBRARIES)
	@failed=0; for t in $(TEST_BINS); do $$t || failed=1; done; exit $$failed
