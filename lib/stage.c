/* stage.c: mappers and chains of them (see stage.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "stage.h"

struct pxr_mapper *
pxr_mapper_new(const char *name, void *state,
    int (*bind)(struct pxr_mapper *, struct pxr_schema *, struct pxr_error *),
    int (*map)(struct pxr_mapper *, struct pxr_rec *, struct pxr_error *),
    int (*end)(struct pxr_mapper *, struct pxr_error *),
    void (*free_fn)(void *))
{
	struct pxr_mapper *m = pxr_calloc(1, sizeof(*m));

	m->name = name;
	m->state = state;
	m->bind = bind;
	m->map = map;
	m->end = end;
	m->free = free_fn;
	return m;
}

void
pxr_mapper_free(struct pxr_mapper *m)
{
	if (m == NULL)
		return;
	if (m->free != NULL)
		m->free(m->state);
	free(m);
}

int
pxr_mapper_emit(struct pxr_mapper *m, struct pxr_rec *rec,
    struct pxr_error *err)
{
	if (m->out.emit == NULL)
		return 0;
	return m->out.emit(m->out.arg, rec, err);
}

int
pxr_mapper_check(struct pxr_mapper *m, const struct pxr_rec *rec,
    struct pxr_error *err)
{
	if (m->out.check == NULL)
		return 0;
	return m->out.check(m->out.arg, rec, err);
}

void
pxr_mapper_vsay(struct pxr_mapper *m, int level, const char *fmt, va_list ap)
{
	char text[2048];

	if (m->sayer.say == NULL || (level == PXR_SAY_EXPLAIN && !m->explain))
		return;
	vsnprintf(text, sizeof(text), fmt, ap);
	m->sayer.say(m->sayer.arg, level, text);
}

void
pxr_mapper_say(struct pxr_mapper *m, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pxr_mapper_vsay(m, level, fmt, ap);
	va_end(ap);
}

/* A link of a chain: what stage i emits goes to stage i + 1. */
struct link {
	struct pxr_chain *ch;
	size_t	 next;
};

struct pxr_chain {
	struct pxr_mapper **m;
	size_t	 n;
	struct link *links;
	struct pxr_emitter out;
};

static int
link_emit(void *arg, struct pxr_rec *rec, struct pxr_error *err)
{
	struct link *l = arg;
	struct pxr_mapper *m = l->ch->m[l->next];
	int rc;

	pxr_rec_fit(rec);
	rc = m->map(m, rec, err);
	/* A bad record at a later stage is that stage's: it cannot be undone. */
	return rc;
}

/* A later stage may change the record; the chain's output has the say. */
static int
link_check(void *arg, const struct pxr_rec *rec, struct pxr_error *err)
{
	struct link *l = arg;

	if (l->ch->out.check == NULL)
		return 0;
	return l->ch->out.check(l->ch->out.arg, rec, err);
}

struct pxr_chain *
pxr_chain_new(struct pxr_mapper **m, size_t n, struct pxr_emitter out,
    struct pxr_sayer sayer)
{
	struct pxr_chain *ch = pxr_calloc(1, sizeof(*ch));
	size_t i;

	ch->m = m;
	ch->n = n;
	ch->out = out;
	ch->links = pxr_calloc(n > 0 ? n : 1, sizeof(*ch->links));
	for (i = 0; i < n; i++) {
		m[i]->sayer = sayer;
		if (i + 1 < n) {
			ch->links[i].ch = ch;
			ch->links[i].next = i + 1;
			m[i]->out.emit = link_emit;
			m[i]->out.arg = &ch->links[i];
			m[i]->out.check = link_check;
		} else
			m[i]->out = out;
	}
	return ch;
}

int
pxr_chain_bind(struct pxr_chain *ch, struct pxr_schema *sch,
    struct pxr_error *err)
{
	size_t i;

	for (i = 0; i < ch->n; i++)
		if (ch->m[i]->bind != NULL && ch->m[i]->bind(ch->m[i], sch,
		    err) < 0)
			return -2;
	return 0;
}

int
pxr_chain_map(struct pxr_chain *ch, struct pxr_rec *rec,
    struct pxr_error *err)
{
	if (ch->n == 0)
		return ch->out.emit != NULL ? ch->out.emit(ch->out.arg, rec,
		    err) : 0;
	pxr_rec_fit(rec);
	return ch->m[0]->map(ch->m[0], rec, err);
}

int
pxr_chain_end(struct pxr_chain *ch, struct pxr_error *err)
{
	size_t i;

	for (i = 0; i < ch->n; i++)
		if (ch->m[i]->end != NULL && ch->m[i]->end(ch->m[i], err) < 0)
			return -2;
	return 0;
}

void
pxr_chain_free(struct pxr_chain *ch)
{
	if (ch == NULL)
		return;
	free(ch->links);
	free(ch);
}

struct pxr_rule *
pxr_stage_rule(const struct pxr_rules *R, const struct pxr_rec *rec,
    size_t rf, struct pxr_rule **last, struct pxr_error *err)
{
	const struct pxr_val *v = pxr_rec_get(rec, rf);
	struct pxr_rule *r;

	if (PXR_ISNULL(v)) {
		pxr_error_set(err, PXR_EXIT_DATAERR, "no 'rule' field: "
		    "is this the output of pxr-detect?");
		return NULL;
	}
	if (*last != NULL && strlen((*last)->id) == v->n &&
	    memcmp((*last)->id, v->s, v->n) == 0)
		return *last;
	r = pxr_rules_find(R, v->s);
	if (r == NULL) {
		pxr_error_set(err, PXR_EXIT_DATAERR, "rule '%.*s' is not "
		    "in %s", (int)(v->n > 64 ? 64 : v->n), v->s,
		    R->path != NULL ? R->path : "the rule file");
		return NULL;
	}
	*last = r;
	return r;
}
