/* jpos.c: a position index over a JSON text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jpos.h"
#include "mem.h"
#include "stream.h"

struct entry {
	char	*path;
	size_t	 voff;		/* byte offset of the value */
	size_t	 koff;		/* byte offset of the member name, or voff */
};

struct pxr_jpos {
	const char *text;	/* a copy */
	size_t	 n;
	struct entry *e;
	size_t	 ne, cap;
};

struct scan {
	struct pxr_jpos *j;
	const char *s;
	size_t	 n, i;
	struct pxr_buf path;
	int	 depth;
};

static void
ws(struct scan *c)
{
	while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' ||
	    c->s[c->i] == '\n' || c->s[c->i] == '\r'))
		c->i++;
}

static void
add(struct scan *c, size_t koff)
{
	struct pxr_jpos *j = c->j;

	if (j->ne == j->cap) {
		j->cap = j->cap == 0 ? 64 : j->cap * 2;
		j->e = pxr_reallocarray(j->e, j->cap, sizeof(*j->e));
	}
	j->e[j->ne].path = pxr_strndup(c->path.p != NULL ? c->path.p : "",
	    c->path.len);
	j->e[j->ne].voff = c->i;
	j->e[j->ne].koff = koff;
	j->ne++;
}

static void
skipstr(struct scan *c, struct pxr_buf *out)
{
	const char *end;

	if (out != NULL) {
		/* Decoded as jansson does: "wh\nen" is the path's "wh<LF>en". */
		end = pxr_json_unquote(out, c->s + c->i, c->s + c->n);
		c->i = end != NULL ? (size_t)(end - c->s) : c->n;
		return;
	}
	c->i++;
	while (c->i < c->n && c->s[c->i] != '"') {
		if (c->s[c->i] == '\\') {
			if (out != NULL)
				pxr_buf_addc(out, c->s[c->i + 1]);
			c->i += 2;
			continue;
		}
		if (out != NULL)
			pxr_buf_addc(out, c->s[c->i]);
		c->i++;
	}
	c->i++;
}

static void
value(struct scan *c, size_t koff)
{
	size_t mark, idx, before;

	ws(c);
	if (c->i >= c->n)
		return;
	if (++c->depth > 512) {
		/* Too deep to index: step over the value, keeping no place. */
		int d = 0;

		do {
			char ch = c->s[c->i];

			if (ch == '"') {
				skipstr(c, NULL);
				continue;
			}
			if (ch == '{' || ch == '[')
				d++;
			else if (ch == '}' || ch == ']')
				d--;
			else if (d == 0 && strchr(",]} \t\r\n", ch) != NULL)
				break;
			c->i++;
		} while (c->i < c->n && d > 0);
		c->depth--;
		return;
	}
	add(c, koff);
	switch (c->s[c->i]) {
	case '{':
		c->i++;
		for (;;) {
			size_t k;

			ws(c);
			if (c->i >= c->n || c->s[c->i] == '}')
				break;
			if (c->s[c->i] == ',') {
				c->i++;
				continue;
			}
			mark = c->path.len;
			k = c->i;
			if (c->path.len > 0)
				pxr_buf_addc(&c->path, '.');
			skipstr(c, &c->path);
			ws(c);
			if (c->i < c->n && c->s[c->i] == ':')
				c->i++;
			before = c->i;
			value(c, k);
			if (c->i == before)
				c->i++;
			c->path.len = mark;
			if (c->path.p != NULL)
				c->path.p[mark] = '\0';
		}
		c->i++;
		break;
	case '[':
		c->i++;
		idx = 0;
		for (;;) {
			ws(c);
			if (c->i >= c->n || c->s[c->i] == ']')
				break;
			if (c->s[c->i] == ',') {
				c->i++;
				continue;
			}
			mark = c->path.len;
			pxr_buf_printf(&c->path, "[%zu]", idx++);
			before = c->i;
			value(c, (size_t)-1);
			if (c->i == before)
				c->i++;	/* never stuck, whatever the text */
			c->path.len = mark;
			if (c->path.p != NULL)
				c->path.p[mark] = '\0';
		}
		c->i++;
		break;
	case '"':
		skipstr(c, NULL);
		break;
	default:
		while (c->i < c->n && strchr(",]} \t\r\n", c->s[c->i]) == NULL)
			c->i++;
		break;
	}
	c->depth--;
}

struct pxr_jpos *
pxr_jpos_new(const char *text, size_t n)
{
	struct pxr_jpos *j = pxr_calloc(1, sizeof(*j));
	struct scan c;

	j->text = pxr_strndup(text, n);
	j->n = n;
	memset(&c, 0, sizeof(c));
	c.j = j;
	c.s = j->text;
	c.n = n;
	value(&c, (size_t)-1);
	for (size_t i = 0; i < j->ne; i++)
		if (j->e[i].koff == (size_t)-1)
			j->e[i].koff = j->e[i].voff;
	pxr_buf_free(&c.path);
	return j;
}

void
pxr_jpos_free(struct pxr_jpos *j)
{
	size_t i;

	if (j == NULL)
		return;
	for (i = 0; i < j->ne; i++)
		free(j->e[i].path);
	free(j->e);
	free((char *)j->text);
	free(j);
}

static void
linecol(const struct pxr_jpos *j, size_t off, long *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && i < j->n; i++) {
		if (j->text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)j->text[i] & 0xc0) != 0x80)
			(*col)++;
	}
}

static const struct entry *
lookup(const struct pxr_jpos *j, const char *path)
{
	char *p = pxr_strdup(path);
	const struct entry *hit = NULL;
	size_t i;

	/* The path itself, else its nearest parent. */
	for (;;) {
		for (i = 0; i < j->ne; i++)
			if (strcmp(j->e[i].path, p) == 0) {
				hit = &j->e[i];
				break;
			}
		if (hit != NULL || *p == '\0')
			break;
		{
			char *dot = strrchr(p, '.'), *br = strrchr(p, '[');
			char *cut = dot > br ? dot : br;

			if (cut == NULL)
				*p = '\0';
			else
				*cut = '\0';
		}
	}
	free(p);
	return hit;
}

int
pxr_jpos_find(const struct pxr_jpos *j, const char *path, int key, long *line,
    int *col)
{
	const struct entry *e = lookup(j, path);

	if (e == NULL) {
		*line = 1;
		*col = 1;
		return -1;
	}
	linecol(j, key ? e->koff : e->voff, line, col);
	return strcmp(e->path, path) == 0 ? 0 : -1;
}

int
pxr_jpos_strpos(const struct pxr_jpos *j, const char *path, size_t off,
    long *line, int *col)
{
	const struct entry *e = lookup(j, path);
	size_t i, k = 0;

	if (e == NULL || strcmp(e->path, path) != 0 || j->text[e->voff] != '"')
		return pxr_jpos_find(j, path, 0, line, col);
	/* Walk the raw string, counting decoded bytes. */
	i = e->voff + 1;
	while (i < j->n && j->text[i] != '"' && k < off) {
		if (j->text[i] == '\\') {
			if (j->text[i + 1] == 'u') {
				unsigned cp = (unsigned)strtoul((char[5]){
				    j->text[i + 2], j->text[i + 3],
				    j->text[i + 4], j->text[i + 5], 0 }, NULL,
				    16);

				k += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
				i += 6;
			} else {
				k++;
				i += 2;
			}
			continue;
		}
		k++;
		i++;
	}
	linecol(j, i, line, col);
	return 0;
}
