# results.json as the Markdown table BENCHMARKS.md quotes, with each target.
def f($n): ($n * 100 | round) / 100 | tostring;
def ok($pass): if $pass then "met" else "NOT met" end;

"Machine: \(.machine); \(.date); commit \(.commit)\n",
"| figure | apptctl | reference | ratio | target |",
"|---|---|---|---|---|",
"| startup (`--version` vs `true` / `curl --version`) | \(f(.startup_ms.apptctl_version)) ms | \(f(.startup_ms.true)) / \(f(.startup_ms.curl_version)) ms | | < 5 ms: \(ok(.startup_ms.apptctl_version < 5)) |",
"| one call (`show -o json` vs curl GET) | \(f(.show_ms.apptctl)) ms | \(f(.show_ms.curl)) ms | \(f(.show_ms.curl / .show_ms.apptctl))x | no slower: \(ok(.show_ms.apptctl <= .show_ms.curl * 1.05)) |",
"| bulk cancel \(.cancels) vs `xargs -P 8 curl` | \(f(.cancel.seconds.apptctl)) s (\(f(.cancel.per_second.apptctl))/s) | \(f(.cancel.seconds.xargs_curl)) s (\(f(.cancel.per_second.xargs_curl))/s) | \(f(.cancel.speedup_vs_xargs_curl))x | >= 10x: \(ok(.cancel.speedup_vs_xargs_curl >= 10)) |",
"| bulk cancel \(.cancels) vs wrk ceiling | \(f(.cancel.seconds.apptctl)) s | \(f(.cancel.seconds.wrk)) s (\(f(.cancel.per_second.wrk))/s) | \(f(.cancel.share_of_wrk_ceiling * 100)) % | >= 70 %: \(ok(.cancel.share_of_wrk_ceiling >= 0.7)) |",
"| `list --all -o ndjson` (\(.list.records.apptctl) records) vs curl page loop | \(f(.list.seconds.apptctl)) s | \(f(.list.seconds.curl_loop)) s (\(.list.pages) pages) | \(f(.list.speedup_vs_curl_loop))x | faster: \(ok(.list.speedup_vs_curl_loop > 1)) |",
"| peak memory `list --all`: small vs big | \(f(.peak_mib.list_small)) / \(f(.peak_mib.list_big)) MiB | | \(f(.peak_mib.list_big / .peak_mib.list_small))x | flat (<= 1.2x) and < 50 MiB: \(ok(.peak_mib.list_big <= .peak_mib.list_small * 1.2 and .peak_mib.list_big < 50)) |",
"| peak memory `cancel-batch` \(.cancels) / \(.cancel_all.ids) ids (real run, \(f(.cancel_all.seconds)) s) | \(f(.peak_mib.cancel_batch)) / \(f(.peak_mib.cancel_batch_all)) MiB | | | < 50 MiB: \(ok(.peak_mib.cancel_batch_all < 50)) |",
"| server: oha GET list (50 a page) / GET record, 32 connections | \(f(.server.oha_rps.list_page_50)) / \(f(.server.oha_rps.record)) req/s | | | |",
"| server CPU (cores busy): apptctl cancel / curl loop / wrk / oha | \(f(.cancel.server_cpu_cores.apptctl)) / \(f(.cancel.server_cpu_cores.xargs_curl)) / \(f(.cancel.server_cpu_cores.wrk)) / \(f(.server.oha_cpu_cores)) | | | |"
,
# The server rows on PostgreSQL beside SQLite's, when the run measured them.
((.postgres // empty) as $pg | $pg.cancel.per_second as $rate | (.cancels | tostring) as $n |
  "\nServer rows on PostgreSQL (scripts/pg-local.sh: fsync off) beside SQLite, same run:\n",
  "| server figure | PostgreSQL | SQLite | PostgreSQL / SQLite |",
  "|---|---|---|---|",
  "| bulk cancel \($n), wrk ceiling (16 connections) | \(f($rate.wrk))/s | \(f(.cancel.per_second.wrk))/s | \(f($rate.wrk / .cancel.per_second.wrk))x |",
  "| bulk cancel \($n), `apptctl cancel-batch` | \(f($rate.apptctl))/s (\(f($pg.cancel.share_of_wrk_ceiling * 100)) % of ceiling) | \(f(.cancel.per_second.apptctl))/s (\(f(.cancel.share_of_wrk_ceiling * 100)) %) | \(f($rate.apptctl / .cancel.per_second.apptctl))x |",
  "| oha GET list (50 a page), 32 connections | \(f($pg.server.oha_rps.list_page_50)) req/s | \(f(.server.oha_rps.list_page_50)) req/s | \(f($pg.server.oha_rps.list_page_50 / .server.oha_rps.list_page_50))x |",
  "| oha GET record, 32 connections | \(f($pg.server.oha_rps.record)) req/s | \(f(.server.oha_rps.record)) req/s | \(f($pg.server.oha_rps.record / .server.oha_rps.record))x |",
  "| server CPU (cores): cancel-batch / wrk / oha | \(f($pg.cancel.server_cpu_cores.apptctl)) / \(f($pg.cancel.server_cpu_cores.wrk)) / \(f($pg.server.oha_cpu_cores)) | \(f(.cancel.server_cpu_cores.apptctl)) / \(f(.cancel.server_cpu_cores.wrk)) / \(f(.server.oha_cpu_cores)) | |",
  "| PostgreSQL CPU (cores, all backends): cancel-batch / wrk / oha | \(f($pg.cancel.postgres_cpu_cores.apptctl)) / \(f($pg.cancel.postgres_cpu_cores.wrk)) / \(f($pg.server.oha_postgres_cpu_cores)) | | |",
  "| serialization failures / deadlocks retried: cancel-batch / wrk | \($pg.serialization_conflicts.apptctl) / \($pg.serialization_conflicts.wrk) | | |",
  "\nTwo production instances (`apptctl server start`) on one PostgreSQL database, wrk cancelling \($n) records:\n",
  "| instances | cancellations/s | apptctl server CPU (cores) | PostgreSQL CPU (cores) | serialization failures retried |",
  "|---|---|---|---|---|",
  "| one (wrk: 2 threads, 16 connections) | \(f($pg.instances.one.per_second)) | \(f($pg.instances.one.server_cpu_cores)) | \(f($pg.instances.one.postgres_cpu_cores)) | \($pg.serialization_conflicts.one_instance) |",
  "| two (a wrk of 1 thread, 8 connections on each) | \(f($pg.instances.two.per_second)) (\(f($pg.instances.speedup))x) | \(f($pg.instances.two.server_cpu_cores)) | \(f($pg.instances.two.postgres_cpu_cores)) | \($pg.serialization_conflicts.two_instances) |"
)
