# Installation of the shims for distributions and C projects.
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
DESTDIR ?=

install: $(LIBRARIES)
	install -d $(DESTDIR)$(LIBDIR)
	install -m 0644 $(LIBRARIES) $(DESTDIR)$(LIBDIR)/
