# config.mk: paths and flags.  Override on the command line: make CC=clang
VERSION = 0.1
PREFIX = /usr/local
MANPREFIX = $(PREFIX)/share/man
CC = cc
CPPFLAGS = -D_GNU_SOURCE -DPXR_VERSION='"$(VERSION)"' -iquote lib -iquote cmd
CFLAGS = -std=c11 -O2 -Wall -Wextra -Werror -D_FORTIFY_SOURCE=2 \
	-fstack-protector-strong
LDLIBS = -lcsv -ljansson -lpcre2-8 -lm
SANFLAGS = -std=c11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror \
	-fsanitize=address,undefined -fno-sanitize-recover=all
