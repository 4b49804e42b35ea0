# Turns run.sh's measurements into results.json (medians and ratios of one run).
def median_ms($runs; $prefix):
  $runs[0].results | map(select(.command | startswith($prefix))) | .[0].median * 1000;

{
  machine: $machine, date: $date, commit: $commit,
  records: $records, cancels: $cancels,
  startup_ms: {
    apptctl_version: median_ms($startup; "target/"),
    true: median_ms($startup; "true"),
    curl_version: median_ms($startup; "curl")
  },
  show_ms: {apptctl: median_ms($show; "target/"), curl: median_ms($show; "curl")},
  cancel: {
    seconds: {apptctl: $apptctl_cancel, xargs_curl: $curl_cancel, wrk: $wrk_cancel},
    per_second: {
      apptctl: ($cancels / $apptctl_cancel),
      xargs_curl: ($cancels / $curl_cancel),
      wrk: ($cancels / $wrk_cancel)
    },
    cancelled: {apptctl: $apptctl_cancelled, xargs_curl: $curl_cancelled, wrk: $wrk_answers},
    speedup_vs_xargs_curl: ($curl_cancel / $apptctl_cancel),
    share_of_wrk_ceiling: ($wrk_cancel / $apptctl_cancel),
    server_cpu_cores: {apptctl: $apptctl_cpu, xargs_curl: $curl_cpu, wrk: $wrk_cpu}
  },
  list: {
    seconds: {apptctl: $apptctl_list, curl_loop: $curl_list},
    records: {apptctl: $apptctl_listed, curl_loop: $curl_listed},
    pages: $pages,
    speedup_vs_curl_loop: ($curl_list / $apptctl_list)
  },
  peak_mib: {
    list_small: $list_peak_small, list_big: $list_peak_big,
    cancel_batch: $cancel_peak, cancel_batch_all: $cancel_all_peak
  },
  cancel_all: {ids: $all_ids, seconds: $cancel_all, summary: $cancel_all_summary[0]},
  server: {
    oha_rps: {
      list_page_50: $oha_list[0].summary.requestsPerSec,
      record: $oha_record[0].summary.requestsPerSec
    },
    oha_cpu_cores: $oha_cpu
  },
  # The server rows on PostgreSQL in the same run (null: POSTGRES=0).
  postgres: $postgres[0]
}
