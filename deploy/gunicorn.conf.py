"""gunicorn settings for serving Wegweiser in production (README "Production settings").

    gunicorn -c deploy/gunicorn.conf.py 'wegweiser:create_app()'

Command-line options override these (`-b 127.0.0.1:8001 -w 3 --access-logfile -`, or the
same in GUNICORN_CMD_ARGS), WEB_CONCURRENCY the number of workers. The site's own settings
(DATABASE_URL, WEGWEISER_RATELIMIT_STORAGE, …) come from the environment or instance/config.py
as always.
"""
import os

# Behind a reverse proxy (nginx, Caddy) on the same machine, which terminates HTTPS, serves
# nothing itself and buffers slow clients: a sync worker is busy for as long as its client
# takes to send the request and read the answer, so it must not face the internet directly.
bind = "127.0.0.1:8000"

# Searching is pure Python work on the CPU (bitmaps, scoring, templates) with short database
# queries in between, so one sync worker per core keeps the cores busy without making requests
# wait for each other's time slices; the load benchmark measured 2 workers on the 2-core
# machine (benchmarks/load_benchmark.py). WEB_CONCURRENCY sets another number.
workers = int(os.environ.get("WEB_CONCURRENCY") or max(2, os.cpu_count() or 1))
worker_class = "sync"

# A request that takes longer than this is cut off (the worker is killed and replaced): far
# above the slowest page measured (a results page's p99 is below 1 s); an import or a reindex
# runs on the command line, not in a request.
timeout = 30
# On SIGTERM / a restart, requests in flight may finish within this time.
graceful_timeout = 30
# The proxy keeps connections to gunicorn open between requests for this long.
keepalive = 5

# Loaded once in the master, then forked: the workers share the code, the language data
# (stemmers, pymorphy3's dictionaries) and the vocabularies copy-on-write, and a worker that
# ends (crash, timeout, max_requests) is back in well under a second instead of loading
# everything again. Safe because creating the app opens neither a database connection
# (SQLAlchemy connects on first use, in the worker) nor the search index (opened by the first
# search in each worker). Consequence: new code needs a full restart of gunicorn (or
# USR2 + QUIT), a HUP only restarts the workers with the code the master has.
preload_app = True

# Workers are replaced after this many requests (spread by the jitter so they do not all
# restart at once): bounds slow memory growth; a new worker rebuilds its search caches on its
# first query.
max_requests = 5000
max_requests_jitter = 500

# The workers' heartbeat file on tmpfs: a slow disk cannot make gunicorn think they hang.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# gunicorn's control socket (gunicornc) is not used; off, so several instances on one machine
# (two sites, the crash drill) do not contend for its default path in the home directory.
control_socket_disable = True

# Errors to standard error (journald, docker). No access log unless asked for
# (`--access-logfile -`); its format keeps no client address and no query string (search
# words, filters): time, method, path, status, size and duration in ms.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = "info"

# The proxy on this machine may tell the scheme and client address (X-Forwarded-Proto, -For).
forwarded_allow_ips = "127.0.0.1,::1"
