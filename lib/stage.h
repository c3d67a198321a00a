/*
 * stage.h: a stage of the pipeline as a mapper (after Miller 5's
 * c/mapping/mapper.h).  A mapper owns its state, is built by its module's
 * constructor from options and the typed rule model, and is driven by
 * whoever reads the records: cmd/cli.c for a command, pxr_chain for
 * stages in one process (pxr-test), a unit test.
 *
 * The driver calls bind once, when the input's field names are known
 * (before the first record, or at the end for an empty input), then map
 * for every record, then end once.  A mapper hands records on with
 * pxr_mapper_emit; what it has to say to a person (a warning, an
 * --explain line) goes through pxr_mapper_say: lib/ never prints.
 *
 * Return codes of bind, map and end: 0 done; -1 a bad record (err says
 * why; the driver applies --on-error and goes on); -2 the stream cannot
 * go on (err says why; the driver stops with err->exit).
 */
#ifndef PXR_STAGE_H
#define PXR_STAGE_H

#include <stdarg.h>

#include "error.h"
#include "rec.h"

/* What a mapper says: a warning, a -v line, an --explain line. */
enum { PXR_SAY_WARN = 0, PXR_SAY_INFO, PXR_SAY_EXPLAIN };

struct pxr_mapper;

/*
 * Where a mapper's records go.  emit gets the record for the duration of
 * the call and may change it (the next stage sets its fields); 0 done,
 * -1 the record cannot be written (err set), -2 fatal (err set).
 */
struct pxr_emitter {
	int	(*emit)(void *arg, struct pxr_rec *, struct pxr_error *);
	void	*arg;
	/*
	 * Would emit take rec (its data): 0, or -1 and err; NULL: it takes
	 * anything.  A stage that records a decision before it emits asks
	 * first, so that nothing is recorded that cannot be passed on.
	 */
	int	(*check)(void *arg, const struct pxr_rec *, struct pxr_error *);
};

/* Where a mapper's words go; NULL say: nowhere. */
struct pxr_sayer {
	void	(*say)(void *arg, int level, const char *text);
	void	*arg;
};

struct pxr_mapper {
	const char *name;	/* "threshold": for messages */
	void	*state;		/* the stage's own struct */
	int	(*bind)(struct pxr_mapper *, struct pxr_schema *,
		    struct pxr_error *);
	int	(*map)(struct pxr_mapper *, struct pxr_rec *,
		    struct pxr_error *);
	int	(*end)(struct pxr_mapper *, struct pxr_error *);
	void	(*free)(void *state);	/* frees state; NULL-safe */
	struct pxr_emitter out;		/* set by the driver */
	struct pxr_sayer sayer;		/* set by the driver */
	int	 explain;		/* the driver wants --explain lines */
};

/*
 * A new mapper of the given functions over state (stolen: freed by
 * pxr_mapper_free through free_fn).  Output and words go nowhere until
 * the driver sets out and sayer.
 */
struct pxr_mapper *pxr_mapper_new(const char *name, void *state,
	    int (*bind)(struct pxr_mapper *, struct pxr_schema *,
	    struct pxr_error *),
	    int (*map)(struct pxr_mapper *, struct pxr_rec *,
	    struct pxr_error *),
	    int (*end)(struct pxr_mapper *, struct pxr_error *),
	    void (*free_fn)(void *));
/* Free the mapper and its state; NULL is allowed. */
void	 pxr_mapper_free(struct pxr_mapper *);
/* Hand rec to the mapper's output; as pxr_emitter.emit (0 with none). */
int	 pxr_mapper_emit(struct pxr_mapper *, struct pxr_rec *,
	    struct pxr_error *);
/* Would the mapper's output take rec: as pxr_emitter.check (0 with none). */
int	 pxr_mapper_check(struct pxr_mapper *, const struct pxr_rec *,
	    struct pxr_error *);
/* Say something at level (PXR_SAY_*), printf-formatted. */
void	 pxr_mapper_say(struct pxr_mapper *, int level, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	 pxr_mapper_vsay(struct pxr_mapper *, int level, const char *fmt,
	    va_list);

/*
 * Stages in one process: a chain of mappers, each one's output the next
 * one's input, the last one's output to out.  The chain borrows the
 * mappers (the caller frees them after pxr_chain_free).  The schema is
 * shared: each stage adds its fields to the one the records carry.
 */
struct pxr_chain;

/* new; n mappers, borrowed. */
struct pxr_chain *pxr_chain_new(struct pxr_mapper **, size_t n,
	    struct pxr_emitter out, struct pxr_sayer);
/* Bind every stage (in order) to sch; as bind. */
int	 pxr_chain_bind(struct pxr_chain *, struct pxr_schema *,
	    struct pxr_error *);
/* Map one record through the first stage; as map. */
int	 pxr_chain_map(struct pxr_chain *, struct pxr_rec *,
	    struct pxr_error *);
/* End every stage in order (what one flushes flows through the rest). */
int	 pxr_chain_end(struct pxr_chain *, struct pxr_error *);
void	 pxr_chain_free(struct pxr_chain *);

struct pxr_rules;
struct pxr_rule;
/*
 * The rule named by the record's "rule" field (index rf) in R, or NULL
 * with err set (no such field, no such rule).  *last caches the last
 * answer (a stage's own pointer, NULL at first); borrowed from R.
 */
struct pxr_rule *pxr_stage_rule(const struct pxr_rules *,
	    const struct pxr_rec *, size_t rf, struct pxr_rule **last,
	    struct pxr_error *);

#endif
