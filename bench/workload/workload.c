/*
 * workload: the command the benchmark runs under each init (and alone, as
 * the "direct" baseline). It is C, linked statically, so it has no runtime
 * of its own that could raise signals, and it starts fast.
 *
 *   workload signals    report each signal received as one byte (its
 *                       number) on stdout; a byte 0 first says "ready".
 *                       SIGTERM ends it as a plain program would end.
 *   workload orphans N  print 'R'; on a byte on stdin, make N orphans one
 *                       after another, each of which exits at once and is
 *                       re-parented to the init (alive or as a zombie);
 *                       print 'C' when all are made and 'D' once the init
 *                       has reaped every one. End of file on stdin then
 *                       ends the workload.
 *   workload herd N     leave N live orphans, re-parented to the init and
 *                       all blocked on one pipe; print 'R'. A byte on stdin
 *                       closes the pipe: they all exit at once. Print 'D'
 *                       once the init has reaped every one; end of file on
 *                       stdin ends the workload.
 *
 * Every signal is blocked and taken with sigwaitinfo, so none is lost to a
 * handler racing another and every queued real-time instance is counted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	exit(99);
}

static void put_byte(unsigned char b)
{
	while (write(1, &b, 1) < 0)
		if (errno != EINTR)
			die("write");
}

/* end_on_term ends the process the way SIGTERM ends a program that does not
 * catch it. As PID 1 of its namespace (the direct baseline) the kernel would
 * discard that SIGTERM, so it exits with the status a shell reports for it. */
static void end_on_term(void)
{
	sigset_t term;

	if (getpid() == 1)
		_exit(128 + SIGTERM);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_UNBLOCK, &term, NULL);
	raise(SIGTERM);
	_exit(128 + SIGTERM);
}

_Noreturn static void report_signals(void)
{
	sigset_t all;
	siginfo_t info;

	sigfillset(&all);
	if (sigprocmask(SIG_BLOCK, &all, NULL) < 0)
		die("sigprocmask");
	put_byte(0);
	for (;;) {
		int sig = sigwaitinfo(&all, &info);
		if (sig < 0) {
			if (errno == EINTR)
				continue;
			die("sigwaitinfo");
		}
		put_byte((unsigned char)sig);
		if (sig == SIGTERM)
			end_on_term();
	}
}

/* leave_orphans forks a middle process that forks k orphans, reports their
 * pids on pids and exits, re-parenting them to the init. With release, the
 * orphans wait until it is closed (a herd that exits at once); without,
 * they exit at once, ending up the init's children either way round:
 * alive, or as zombies the init must reap. */
static void leave_orphans(pid_t *out, long k, int release[2], int pids[2])
{
	pid_t middle = fork();
	if (middle < 0)
		die("fork");
	if (middle == 0) {
		for (long j = 0; j < k; j++) {
			pid_t o = fork();
			if (o == 0) {
				char c;
				if (release != NULL) {
					close(release[1]);
					while (read(release[0], &c, 1) < 0 && errno == EINTR)
						;
				}
				_exit(0);
			}
			if (o < 0 || write(pids[1], &o, sizeof o) != sizeof o)
				_exit(1);
		}
		_exit(0);
	}
	int status;
	while (waitpid(middle, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	ssize_t want = k * (ssize_t)sizeof *out;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || read(pids[0], out, want) != want) {
		errno = EAGAIN;
		die("fork orphans");
	}
}

/* wait_until_reaped returns once none of pids exists any more, not even
 * as a zombie: the init has collected them all. A fresh PID namespace
 * hands out pids in order and N is far below pid_max, so none is reused. */
static void wait_until_reaped(const pid_t *pids, long n)
{
	const struct timespec nap = {0, 20000};

	for (long i = 0; i < n; i++)
		while (kill(pids[i], 0) == 0)
			nanosleep(&nap, NULL);
}

static int make_orphans(long n)
{
	int pids[2];
	pid_t *orphans = calloc(n > 0 ? n : 1, sizeof *orphans);
	char c;

	if (orphans == NULL)
		die("calloc");
	if (pipe(pids) < 0)
		die("pipe");
	put_byte('R');
	if (read(0, &c, 1) != 1)
		die("read stdin");
	for (long i = 0; i < n; i++)
		leave_orphans(&orphans[i], 1, NULL, pids);
	put_byte('C');
	wait_until_reaped(orphans, n);
	put_byte('D');
	while (read(0, &c, 1) > 0)
		;
	return 0;
}

/* herd_batch is how many orphans one middle process leaves: fewer forks
 * than one middle per orphan, and the same re-parenting. */
enum { herd_batch = 100 };

static int make_herd(long n)
{
	int release[2], pids[2];
	pid_t *orphans = calloc(n > 0 ? n : 1, sizeof *orphans);
	char c;

	if (orphans == NULL)
		die("calloc");
	if (pipe(release) < 0 || pipe(pids) < 0)
		die("pipe");
	for (long i = 0; i < n; i += herd_batch)
		leave_orphans(orphans + i, n - i < herd_batch ? n - i : herd_batch, release, pids);
	put_byte('R');
	if (read(0, &c, 1) != 1)
		die("read stdin");
	close(release[1]); /* every orphan now reads end of file and exits */
	wait_until_reaped(orphans, n);
	put_byte('D');
	while (read(0, &c, 1) > 0)
		;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "signals") == 0)
		report_signals();
	if (argc == 3 && strcmp(argv[1], "orphans") == 0)
		return make_orphans(atol(argv[2]));
	if (argc == 3 && strcmp(argv[1], "herd") == 0)
		return make_herd(atol(argv[2]));
	fprintf(stderr, "usage: workload signals | workload orphans N | workload herd N\n");
	return 2;
}
