/* gateway.c: the batch gateway protocol of pxr-send (gateway.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "gateway.h"

struct pxr_gateway {
	char	**argv;
	pid_t	 pid;
	FILE	*to;		/* its standard input */
	FILE	*from;		/* its standard output */
	int	 started, lost;
	char	*line;
	size_t	 cap;
};

struct pxr_gateway *
pxr_gateway_new(char **argv)
{
	struct pxr_gateway *G = pxr_calloc(1, sizeof(*G));

	G->argv = argv;
	G->pid = -1;
	return G;
}

/* Start the gateway: 0, or -1 with why. */
static int
start(struct pxr_gateway *G, struct pxr_buf *why)
{
	int in[2], out[2], efd[2], eno = 0;
	ssize_t r;

	G->started = 1;
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
	    pipe2(efd, O_CLOEXEC) < 0) {
		pxr_buf_printf(why, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	if ((G->pid = fork()) < 0) {
		pxr_buf_printf(why, "fork: %s", strerror(errno));
		return -1;
	}
	if (G->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		signal(SIGPIPE, SIG_DFL);
		execvp(G->argv[0], G->argv);
		eno = errno;
		if (write(efd[1], &eno, sizeof(eno)) < 0)
			_exit(126);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(efd[1]);
	while ((r = read(efd[0], &eno, sizeof(eno))) < 0 && errno == EINTR)
		continue;
	close(efd[0]);
	G->to = fdopen(in[1], "w");
	G->from = fdopen(out[0], "r");
	if (r == (ssize_t)sizeof(eno)) {
		pxr_buf_printf(why, "%s: %s", G->argv[0], strerror(eno));
		return -1;
	}
	if (G->to == NULL || G->from == NULL) {
		pxr_buf_printf(why, "fdopen: %s", strerror(errno));
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);	/* a gateway gone: EPIPE, not death */
	return 0;
}

int
pxr_gateway_send(struct pxr_gateway *G, const char *mid,
    const char *channel, const char *to, const char *body, size_t n,
    struct pxr_buf *why)
{
	json_t *o, *x;
	const char *st;
	char *text;
	ssize_t len;
	int rc;

	if (G->lost) {
		pxr_buf_printf(why, "the gateway %s was lost earlier in this "
		    "run: not handed over", G->argv[0]);
		return -2;
	}
	if (!G->started && start(G, why) < 0) {
		G->lost = 1;
		return -2;
	}
	o = json_pack("{s:s,s:s,s:s,s:s%}", "message_id", mid, "channel",
	    channel, "to", to, "body", body, n);
	text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (text == NULL) {	/* not UTF-8: never handed over */
		pxr_buf_printf(why, "the message is not UTF-8 text");
		return 1;
	}
	rc = fprintf(G->to, "%s\n", text) < 0 || fflush(G->to) != 0;
	free(text);
	if (rc) {
		G->lost = 1;
		pxr_buf_printf(why, "the gateway %s stopped reading (%s): the "
		    "outcome is unknown", G->argv[0], strerror(errno));
		return -1;
	}
	if ((len = getline(&G->line, &G->cap, G->from)) <= 0) {
		G->lost = 1;
		pxr_buf_printf(why, "the gateway %s ended without an outcome: "
		    "the outcome is unknown", G->argv[0]);
		return -1;
	}
	o = json_loadb(G->line, (size_t)len, 0, NULL);
	x = json_object_get(o, "message_id");
	st = json_string_value(json_object_get(o, "status"));
	if (!json_is_string(x) || strcmp(json_string_value(x), mid) != 0 ||
	    st == NULL || (strcmp(st, "sent") != 0 &&
	    strcmp(st, "failed") != 0)) {
		json_decref(o);
		G->lost = 1;
		pxr_buf_printf(why, "the gateway %s answered '%.80s', not the "
		    "outcome of %s: the outcome is unknown", G->argv[0],
		    strtok(G->line, "\n") != NULL ? G->line : "", mid);
		return -1;
	}
	rc = strcmp(st, "sent") == 0 ? 0 : 1;
	if (rc == 1)
		pxr_buf_printf(why, "%s", json_string_value(json_object_get(o,
		    "error")) != NULL ? json_string_value(json_object_get(o,
		    "error")) : "failed");
	json_decref(o);
	return rc;
}

void
pxr_gateway_free(struct pxr_gateway *G)
{
	int status;

	if (G == NULL)
		return;
	if (G->to != NULL)
		fclose(G->to);
	if (G->from != NULL)
		fclose(G->from);
	if (G->pid > 0)
		while (waitpid(G->pid, &status, 0) < 0 && errno == EINTR)
			continue;
	free(G->line);
	free(G);
}
