# Installation of the shims for distributions and C projects.
#
#   make install PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu \
#                SHIMDIR=/usr/lib/x86_64-linux-gnu/cwrap-suite DESTDIR=...
#
# installs, for each shim:
#   $(SHIMDIR)/libcwrap_<shim>.so              the library (no SONAME: it is
#                                               preloaded by path, never linked)
#   $(PKGCONFIGDIR)/cwrap_<shim>.pc            Libs: the library's absolute path
#   $(CMAKEDIR)/cwrap_<shim>/cwrap_<shim>-config{,-version}.cmake
#                                               sets CWRAP_<SHIM>_LIBRARY
#   $(MANDIR)/man7/cwrap-<shim>.7              its manual page
# The paths written into the discovery files leave DESTDIR out.
# The cwrap(1) page belongs to the Python package's command: `install-cli-man`.
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
SHIMDIR ?= $(LIBDIR)
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
CMAKEDIR ?= $(LIBDIR)/cmake
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

MAN_SRC := ../man
DISCOVERY := $(BUILD)/discovery
DESCRIPTION_socket := fake IPv4/IPv6 network over AF_UNIX sockets
DESCRIPTION_nss := fake users, groups, hosts and host name from files
DESCRIPTION_uid := fake root and uid/gid switching
VERSION_MAJOR = $(word 1,$(subst ., ,$(VERSION)))
VERSION_MINOR = $(or $(word 2,$(subst ., ,$(VERSION))),0)
SIZEOF_VOID_P = $(shell echo __SIZEOF_POINTER__ | $(CC) $(CPPFLAGS) $(CFLAGS) -E -P - | tail -n 1)

# sed program for shim $(1); every @NAME@ of the templates.
discovery_subst = -e 's|@SHIM@|$(1)|g' \
	-e 's|@SHIM_UPPER@|$(shell echo $(1) | tr a-z A-Z)|g' \
	-e 's|@DESCRIPTION@|$(DESCRIPTION_$(1))|g' \
	-e 's|@VERSION@|$(VERSION)|g' \
	-e 's|@VERSION_MAJOR@|$(VERSION_MAJOR)|g' \
	-e 's|@VERSION_MINOR@|$(VERSION_MINOR)|g' \
	-e 's|@SIZEOF_VOID_P@|$(SIZEOF_VOID_P)|g' \
	-e 's|@SHIMDIR@|$(SHIMDIR)|g' \
	-e 's|@LIBRARY@|$(SHIMDIR)/libcwrap_$(1).so|g'

# The generated files depend on the install paths, so they are made afresh
# by every `make install` (they are tiny).
define install_discovery
	@mkdir -p $(DISCOVERY)
	sed $(call discovery_subst,$(1)) discovery/cwrap.pc.in > $(DISCOVERY)/cwrap_$(1).pc
	sed $(call discovery_subst,$(1)) discovery/cwrap-config.cmake.in \
		> $(DISCOVERY)/cwrap_$(1)-config.cmake
	sed $(call discovery_subst,$(1)) discovery/cwrap-config-version.cmake.in \
		> $(DISCOVERY)/cwrap_$(1)-config-version.cmake
	install -d $(DESTDIR)$(CMAKEDIR)/cwrap_$(1)
	install -m 0644 $(DISCOVERY)/cwrap_$(1).pc $(DESTDIR)$(PKGCONFIGDIR)/
	install -m 0644 $(DISCOVERY)/cwrap_$(1)-config.cmake \
		$(DISCOVERY)/cwrap_$(1)-config-version.cmake $(DESTDIR)$(CMAKEDIR)/cwrap_$(1)/
	install -m 0644 $(MAN_SRC)/cwrap-$(1).7 $(DESTDIR)$(MANDIR)/man7/

endef

install: $(LIBRARIES)
	install -d $(DESTDIR)$(SHIMDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man7
	install -m 0644 $(LIBRARIES) $(DESTDIR)$(SHIMDIR)/
	$(foreach s,$(SHIMS),$(call install_discovery,$(s)))

install-cli-man:
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 0644 $(MAN_SRC)/cwrap.1 $(DESTDIR)$(MANDIR)/man1/

.PHONY: install-cli-man
